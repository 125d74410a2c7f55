//! Checks of the annotated function's shape (async, free, argument count)
//! and pieces of its types the expansion needs.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{FnArg, GenericArgument, ItemFn, PathArguments, ReturnType, Type};

/// Collects independent errors so one build shows them all.
#[derive(Default)]
pub struct Errors(Option<syn::Error>);

impl Errors {
    pub fn push(&mut self, e: syn::Error) {
        match &mut self.0 {
            Some(all) => all.combine(e),
            None => self.0 = Some(e),
        }
    }

    pub fn finish(self) -> syn::Result<()> {
        match self.0 {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

/// Checks what every handler needs and answers its argument types.
/// `expected` is the signature to show in messages.
pub fn check(
    item: &ItemFn,
    attr: &str,
    arity: usize,
    expected: &str,
    errors: &mut Errors,
) -> Vec<Type> {
    let sig = &item.sig;
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new(
            sig.fn_token.span(),
            format!("#[{attr}] functions must be `async fn`; expected `{expected}`"),
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            format!("#[{attr}] functions cannot be generic; expected `{expected}`"),
        ));
    }
    if let Some(abi) = &sig.abi {
        errors.push(syn::Error::new(
            abi.span(),
            format!("#[{attr}] functions cannot have an `extern` ABI"),
        ));
    }
    if let Some(v) = &sig.variadic {
        errors.push(syn::Error::new(
            v.span(),
            "variadic functions are not supported",
        ));
    }
    let mut types = Vec::new();
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(r) => errors.push(syn::Error::new(
                r.span(),
                format!("#[{attr}] goes on a free function, not a method; expected `{expected}`"),
            )),
            FnArg::Typed(t) => types.push((*t.ty).clone()),
        }
    }
    if types.len() != arity && sig.inputs.iter().all(|a| matches!(a, FnArg::Typed(_))) {
        let span = if sig.inputs.is_empty() {
            sig.paren_token.span.join()
        } else {
            sig.inputs.span()
        };
        errors.push(syn::Error::new(
            span,
            format!(
                "#[{attr}] functions take {arity} arguments, found {}; expected `{expected}`",
                types.len()
            ),
        ));
    }
    if matches!(sig.output, ReturnType::Default) {
        errors.push(syn::Error::new(
            sig.ident.span(),
            format!("#[{attr}] functions must return a `Result`; expected `{expected}`"),
        ));
    }
    types
}

/// The `T` and `E` of a `Result<T, E>` return type (E is `None` for a
/// one-argument alias such as `anyhow::Result<T>`).
pub fn result_types(
    item: &ItemFn,
    attr: &str,
    expected: &str,
) -> syn::Result<(Type, Option<Type>)> {
    let ty = match &item.sig.output {
        ReturnType::Type(_, ty) => ty,
        ReturnType::Default => {
            return Err(syn::Error::new(
                item.sig.ident.span(),
                format!("#[{attr}] functions must return a `Result`; expected `{expected}`"),
            ))
        }
    };
    let not_result = || {
        syn::Error::new(
            ty.span(),
            format!("#[{attr}] functions must return `Result<T, E>`; expected `{expected}`"),
        )
    };
    let Type::Path(p) = &**ty else {
        return Err(not_result());
    };
    let last = p.path.segments.last().ok_or_else(not_result)?;
    if last.ident != "Result" {
        return Err(not_result());
    }
    let PathArguments::AngleBracketed(args) = &last.arguments else {
        return Err(not_result());
    };
    let mut tys = args.args.iter().filter_map(|a| match a {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    });
    let ok = tys.next().ok_or_else(not_result)?;
    Ok((ok, tys.next()))
}

/// The message type `T` of a type written `Proto<T>` (the SDK's protobuf
/// payload, read and written by the SDK itself).
pub fn proto_message(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    if p.qself.is_some() || last.ident != "Proto" {
        return None;
    }
    match &last.arguments {
        PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first() {
            Some(GenericArgument::Type(t)) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a type is written as one of the payload types the SDK reads
/// and writes as they are (`String`, `Vec<u8>`, `()`, `Proto<T>`), not
/// through `Json`.
pub fn is_raw(ty: &Type) -> bool {
    if proto_message(ty).is_some() {
        return true;
    }
    match ty {
        Type::Tuple(t) => t.elems.is_empty(),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            if last.ident == "String" {
                return matches!(last.arguments, PathArguments::None);
            }
            if last.ident == "Vec" {
                if let PathArguments::AngleBracketed(a) = &last.arguments {
                    if let Some(GenericArgument::Type(Type::Path(inner))) = a.args.first() {
                        return inner.path.is_ident("u8");
                    }
                }
            }
            false
        }
        _ => false,
    }
}

/// Span of an argument's type, or the call site.
pub fn span_of(types: &[Type], i: usize) -> Span {
    types
        .get(i)
        .map(Spanned::span)
        .unwrap_or_else(Span::call_site)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::parse_quote;

    #[test]
    fn raw_types_are_recognised() {
        assert!(is_raw(&parse_quote!(String)));
        assert!(is_raw(&parse_quote!(std::string::String)));
        assert!(is_raw(&parse_quote!(Vec<u8>)));
        assert!(is_raw(&parse_quote!(())));
        assert!(is_raw(&parse_quote!(Proto<Move>)));
        assert!(is_raw(&parse_quote!(nakama_runtime::Proto<pb::Move>)));
        assert!(!is_raw(&parse_quote!(Vec<String>)));
        assert!(!is_raw(&parse_quote!(Guild)));
    }

    #[test]
    fn result_types_are_split() {
        let f: ItemFn = parse_quote!(
            async fn f() -> Result<Guild, MyErr> {
                todo!()
            }
        );
        let (ok, err) = result_types(&f, "rpc", "").unwrap();
        assert_eq!(quote::quote!(#ok).to_string(), "Guild");
        assert!(err.is_some());
        let f: ItemFn = parse_quote!(
            async fn f() -> Option<Guild> {
                todo!()
            }
        );
        assert!(result_types(&f, "rpc", "").is_err());
    }

    #[test]
    fn all_problems_are_reported_together() {
        let f: ItemFn = parse_quote!(
            fn f<T>(a: T) {}
        );
        let mut errors = Errors::default();
        check(&f, "rpc", 3, "sig", &mut errors);
        let msg = errors.finish().unwrap_err().into_iter().count();
        assert_eq!(msg, 4); // not async, generic, arity, no Result
    }
}
