//! Errors a handler answers with: a gRPC [`Code`] and a message.

use nakama_runtime_abi::ffi::FfiError;
pub use nakama_runtime_abi::Code;

/// An error with a gRPC code, as Nakama's `runtime.NewError(message, code)`.
///
/// Handlers return `Result<T, E>` where `E: Into<Error>`: derive
/// [`RuntimeError`](crate::RuntimeError) on your own enum, or build one here.
/// A plain string converts with code `INTERNAL`, as a plain Go error does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    code: Code,
    message: String,
}

impl Error {
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Error {
            code,
            message: message.into(),
        }
    }

    /// The gRPC code.
    pub fn code(&self) -> Code {
        self.code
    }

    /// The message the client sees.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The HTTP status Nakama answers with for this error.
    pub fn http_status(&self) -> u16 {
        self.code.http_status()
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(Code::InvalidArgument, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(Code::NotFound, message)
    }

    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(Code::Internal, message)
    }

    pub fn permission_denied(message: impl Into<String>) -> Self {
        Self::new(Code::PermissionDenied, message)
    }

    pub(crate) fn into_ffi(self) -> FfiError {
        FfiError::new(self.code, self.message)
    }

    pub(crate) fn from_ffi(e: FfiError) -> Self {
        Error::new(Code::from_u32(e.code), e.message.into_string())
    }
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code)
    }
}

impl std::error::Error for Error {}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::internal(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::internal(message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_strings_are_internal_like_go_errors() {
        let e: Error = "boom".into();
        assert_eq!(e.code(), Code::Internal);
        assert_eq!(e.http_status(), 500);
        assert_eq!(e.to_string(), "boom (INTERNAL)");
    }

    #[test]
    fn ffi_round_trip_keeps_code_and_message() {
        let e = Error::new(Code::AlreadyExists, "taken");
        assert_eq!(Error::from_ffi(e.clone().into_ffi()), e);
    }
}
