//! The 17 gRPC status codes Nakama uses for errors, and the HTTP status its
//! gateway maps each one to (grpc-gateway `HTTPStatusFromCode`).

use serde::{Deserialize, Serialize};

/// A gRPC status code, as carried by every Nakama error.
///
/// Numbers match gRPC (`Ok` = 0 ... `Unauthenticated` = 16) and serialise as
/// those numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u32)]
pub enum Code {
    Ok = 0,
    Cancelled = 1,
    Unknown = 2,
    InvalidArgument = 3,
    DeadlineExceeded = 4,
    NotFound = 5,
    AlreadyExists = 6,
    PermissionDenied = 7,
    ResourceExhausted = 8,
    FailedPrecondition = 9,
    Aborted = 10,
    OutOfRange = 11,
    Unimplemented = 12,
    Internal = 13,
    Unavailable = 14,
    DataLoss = 15,
    Unauthenticated = 16,
}

impl Code {
    /// Every code, in numeric order.
    pub const ALL: [Code; 17] = [
        Code::Ok,
        Code::Cancelled,
        Code::Unknown,
        Code::InvalidArgument,
        Code::DeadlineExceeded,
        Code::NotFound,
        Code::AlreadyExists,
        Code::PermissionDenied,
        Code::ResourceExhausted,
        Code::FailedPrecondition,
        Code::Aborted,
        Code::OutOfRange,
        Code::Unimplemented,
        Code::Internal,
        Code::Unavailable,
        Code::DataLoss,
        Code::Unauthenticated,
    ];

    /// The numeric gRPC code.
    pub const fn as_u32(self) -> u32 {
        self as u32
    }

    /// The code for a number. Numbers outside 0..=16 become `Internal`, as
    /// Nakama does for a runtime error with an out-of-range code.
    pub const fn from_u32(n: u32) -> Code {
        if n <= 16 {
            Code::ALL[n as usize]
        } else {
            Code::Internal
        }
    }

    /// The HTTP status Nakama's gateway answers with for this code.
    pub const fn http_status(self) -> u16 {
        match self {
            Code::Ok => 200,
            Code::Cancelled => 499,
            Code::Unknown => 500,
            Code::InvalidArgument => 400,
            Code::DeadlineExceeded => 504,
            Code::NotFound => 404,
            Code::AlreadyExists => 409,
            Code::PermissionDenied => 403,
            Code::ResourceExhausted => 429,
            Code::FailedPrecondition => 400,
            Code::Aborted => 409,
            Code::OutOfRange => 400,
            Code::Unimplemented => 501,
            Code::Internal => 500,
            Code::Unavailable => 503,
            Code::DataLoss => 500,
            Code::Unauthenticated => 401,
        }
    }

    /// The gRPC name, e.g. `INVALID_ARGUMENT`.
    pub const fn grpc_name(self) -> &'static str {
        match self {
            Code::Ok => "OK",
            Code::Cancelled => "CANCELLED",
            Code::Unknown => "UNKNOWN",
            Code::InvalidArgument => "INVALID_ARGUMENT",
            Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
            Code::NotFound => "NOT_FOUND",
            Code::AlreadyExists => "ALREADY_EXISTS",
            Code::PermissionDenied => "PERMISSION_DENIED",
            Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Code::FailedPrecondition => "FAILED_PRECONDITION",
            Code::Aborted => "ABORTED",
            Code::OutOfRange => "OUT_OF_RANGE",
            Code::Unimplemented => "UNIMPLEMENTED",
            Code::Internal => "INTERNAL",
            Code::Unavailable => "UNAVAILABLE",
            Code::DataLoss => "DATA_LOSS",
            Code::Unauthenticated => "UNAUTHENTICATED",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.grpc_name())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(self.as_u32())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Code::from_u32(u32::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_round_trip_and_match_grpc() {
        for (i, code) in Code::ALL.iter().enumerate() {
            assert_eq!(code.as_u32() as usize, i);
            assert_eq!(Code::from_u32(i as u32), *code);
        }
        assert_eq!(Code::from_u32(17), Code::Internal);
        assert_eq!(Code::from_u32(u32::MAX), Code::Internal);
    }

    #[test]
    fn http_statuses_follow_the_gateway_table() {
        let expected = [
            200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401,
        ];
        let got: Vec<u16> = Code::ALL.iter().map(|c| c.http_status()).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn serialises_as_number() {
        assert_eq!(serde_json::to_string(&Code::NotFound).unwrap(), "5");
        let c: Code = serde_json::from_str("6").unwrap();
        assert_eq!(c, Code::AlreadyExists);
    }
}
