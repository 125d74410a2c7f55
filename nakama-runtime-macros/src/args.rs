//! Parsing of attribute arguments: `#[rpc(id = "...")]`, `#[before_hook(Name)]`.

use proc_macro2::{Span, TokenStream};
use syn::parse::{Parse, ParseStream, Parser};
use syn::{Ident, LitStr, Token};

use crate::hook_table::{self, HookInfo};

/// `#[rpc]` arguments.
#[derive(Debug)]
pub struct RpcArgs {
    pub id: Option<LitStr>,
}

/// Parses `#[rpc]` / `#[rpc(id = "name")]`.
pub fn parse_rpc(args: TokenStream) -> syn::Result<RpcArgs> {
    let mut id: Option<LitStr> = None;
    let parser = |input: ParseStream| -> syn::Result<()> {
        while !input.is_empty() {
            let key: Ident = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `id = \"...\"`: the only #[rpc] argument is the RPC id, e.g. #[rpc(id = \"create_guild\")]",
                )
            })?;
            if key != "id" {
                return Err(syn::Error::new(
                    key.span(),
                    format!(
                        "unknown #[rpc] argument `{key}`; the only argument is `id = \"...\"`, e.g. #[rpc(id = \"create_guild\")]"
                    ),
                ));
            }
            input.parse::<Token![=]>().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "expected `=` after `id`: #[rpc(id = \"create_guild\")]",
                )
            })?;
            let value: LitStr = input.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    "the RPC id must be a string literal: #[rpc(id = \"create_guild\")]",
                )
            })?;
            if value.value().is_empty() {
                return Err(syn::Error::new(
                    value.span(),
                    "the RPC id must not be empty",
                ));
            }
            if id.is_some() {
                return Err(syn::Error::new(
                    key.span(),
                    "duplicate `id` in #[rpc]; give it once",
                ));
            }
            id = Some(value);
            if !input.is_empty() {
                input.parse::<Token![,]>()?;
            }
        }
        Ok(())
    };
    parser.parse2(args)?;
    Ok(RpcArgs { id })
}

/// What a hook attribute hooks: client API calls or realtime messages.
pub struct Hooked {
    pub table: &'static [HookInfo],
    /// "an API call" or "a realtime message".
    pub noun: &'static str,
    /// A name to show in examples.
    pub example: &'static str,
    /// The names the other pair of attributes takes, and those attributes.
    pub others: (&'static [HookInfo], &'static str),
}

pub static API_CALLS: Hooked = Hooked {
    table: hook_table::HOOKS,
    noun: "an API call",
    example: "AuthenticateCustom",
    others: (
        hook_table::RT_HOOKS,
        "is a realtime message: hook it with #[before_rt] or #[after_rt]",
    ),
};

pub static RT_MESSAGES: Hooked = Hooked {
    table: hook_table::RT_HOOKS,
    noun: "a realtime message",
    example: "ChannelJoin",
    others: (
        hook_table::HOOKS,
        "is a client API call: hook it with #[before_hook] or #[after_hook]",
    ),
};

/// Parses the hook name of `#[before_hook(Name)]`, `#[after_hook(Name)]`,
/// `#[before_rt(Name)]` or `#[after_rt(Name)]`.
pub fn parse_hook(
    attr: &str,
    hooked: &Hooked,
    args: TokenStream,
) -> syn::Result<(&'static HookInfo, Ident)> {
    let Hooked {
        table,
        noun,
        example,
        others,
    } = hooked;
    if args.is_empty() {
        return Err(syn::Error::new(
            Span::call_site(),
            format!(
                "#[{attr}] needs the name of the {} it hooks, e.g. #[{attr}({example})]",
                noun.split_once(' ').map_or(*noun, |(_, bare)| bare)
            ),
        ));
    }
    let name: HookName = syn::parse2(args).map_err(|e| {
        syn::Error::new(
            e.span(),
            format!("#[{attr}] takes the name of {noun}, e.g. #[{attr}({example})]"),
        )
    })?;
    let ident = name.0;
    let text = ident.to_string();
    match hook_table::find(table, &text) {
        Some(info) => Ok((info, ident)),
        None => {
            let hint = match hook_table::find_ignoring_case(table, &text) {
                Some(info) => format!("did you mean `{}`? ", info.name),
                None => String::new(),
            };
            let other = match hook_table::find(others.0, &text) {
                Some(_) => format!("`{text}` {}; ", others.1),
                None => String::new(),
            };
            Err(syn::Error::new(
                ident.span(),
                format!(
                    "`{text}` is not {noun} that can be hooked; {other}{hint}valid names are: {}",
                    hook_table::names(table).join(", ")
                ),
            ))
        }
    }
}

struct HookName(Ident);

impl Parse for HookName {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let ident: Ident = input.parse()?;
        if !input.is_empty() {
            return Err(input.error("expected only one name"));
        }
        Ok(HookName(ident))
    }
}

/// `#[init_module]` takes no arguments.
pub fn parse_none(attr: &str, args: TokenStream) -> syn::Result<()> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(syn::Error::new_spanned(
            args,
            format!("#[{attr}] takes no arguments"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn rpc_id_is_optional() {
        assert!(parse_rpc(quote!()).unwrap().id.is_none());
        let a = parse_rpc(quote!(id = "x")).unwrap();
        assert_eq!(a.id.unwrap().value(), "x");
    }

    #[test]
    fn rpc_rejects_unknown_duplicate_and_empty() {
        let e = parse_rpc(quote!(name = "x")).unwrap_err().to_string();
        assert!(e.contains("unknown #[rpc] argument `name`"), "{e}");
        let e = parse_rpc(quote!(id = "x", id = "y"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("duplicate"), "{e}");
        let e = parse_rpc(quote!(id = "")).unwrap_err().to_string();
        assert!(e.contains("must not be empty"), "{e}");
        let e = parse_rpc(quote!(id = 5)).unwrap_err().to_string();
        assert!(e.contains("string literal"), "{e}");
    }

    #[test]
    fn hook_names_are_checked_with_a_hint() {
        let api = |args| parse_hook("before_hook", &API_CALLS, args);
        assert!(api(quote!(AuthenticateCustom)).is_ok());
        let e = api(quote!(authenticatecustom)).unwrap_err().to_string();
        assert!(e.contains("did you mean `AuthenticateCustom`"), "{e}");
        assert!(e.contains("GetAccount"), "{e}");
        let e = api(quote!()).unwrap_err().to_string();
        assert!(e.contains("needs the name of the API call"), "{e}");
    }

    #[test]
    fn realtime_hook_names_come_from_their_own_table() {
        let rt = |args| parse_hook("before_rt", &RT_MESSAGES, args);
        assert_eq!(rt(quote!(ChannelJoin)).unwrap().0.name, "ChannelJoin");
        let e = rt(quote!(channel_join)).unwrap_err().to_string();
        assert!(e.contains("did you mean `ChannelJoin`"), "{e}");
        assert!(!e.contains("GetAccount"), "{e}");
        // Each attribute points at the other when given the other's name.
        let e = rt(quote!(AuthenticateCustom)).unwrap_err().to_string();
        assert!(e.contains("#[before_hook] or #[after_hook]"), "{e}");
        let e = parse_hook("after_hook", &API_CALLS, quote!(MatchmakerAdd))
            .unwrap_err()
            .to_string();
        assert!(e.contains("#[before_rt] or #[after_rt]"), "{e}");
    }
}
