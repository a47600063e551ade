//! Every way a request can end other than success, and the one place they become HTTP.
//! Client faults say what to fix; our faults are opaque (`internal`) and their cause chain goes
//! to the log only.

use http::StatusCode;
use serde_json::json;

use crate::domain::{Detail, PayloadError};
use crate::lambda::{BodyRejected, NotHttpEvent, Response};
use crate::plan::Conflict;
use crate::signature::SignatureError;
use crate::store::{StoreError, WriteError};

#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// The invocation is not an HTTP event this function reads (API Gateway HTTP or REST API,
    /// Lambda Function URL).
    #[error("not an HTTP event")]
    NotHttpEvent,
    #[error("no such route")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("tenant not in the allowlist")]
    UnknownTenant,
    /// A sender's `GET` check without the tenant's verify token (Meta).
    #[error("the verify token is absent or wrong")]
    Forbidden,
    #[error("body is not valid base64")]
    InvalidBody,
    #[error("body exceeds the size limit")]
    PayloadTooLarge,
    #[error("signature rejected: {0}")]
    Signature(#[from] SignatureError),
    #[error("content type is not one the sender sends")]
    UnsupportedMediaType,
    #[error("body is not JSON")]
    InvalidJson,
    #[error("payload failed validation")]
    InvalidPayload(Vec<Detail>),
    /// A refused write the sender must hear about (`user_exists`, `user_not_found`,
    /// `delivery_id_reused`).
    #[error("write refused: {}", .0.as_str())]
    Conflict(Conflict),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<NotHttpEvent> for ApiError {
    fn from(_: NotHttpEvent) -> Self {
        Self::NotHttpEvent
    }
}

impl From<BodyRejected> for ApiError {
    fn from(e: BodyRejected) -> Self {
        match e {
            BodyRejected::InvalidBase64 => Self::InvalidBody,
            BodyRejected::TooLarge => Self::PayloadTooLarge,
        }
    }
}

impl From<PayloadError> for ApiError {
    fn from(e: PayloadError) -> Self {
        match e {
            PayloadError::InvalidJson => Self::InvalidJson,
            PayloadError::Invalid(details) => Self::InvalidPayload(details),
            PayloadError::ElementTooLarge => Self::PayloadTooLarge,
        }
    }
}

/// One invalid field (a handshake's malformed challenge).
impl From<Detail> for ApiError {
    fn from(detail: Detail) -> Self {
        Self::InvalidPayload(vec![detail])
    }
}

impl From<WriteError> for ApiError {
    fn from(e: WriteError) -> Self {
        match e {
            WriteError::Conflict(conflict) => Self::Conflict(conflict),
            WriteError::Store(e) => Self::Store(e),
        }
    }
}

impl ApiError {
    /// The response the sender gets: status, `{"error", "details"?, "request_id"}`, and the
    /// headers the error calls for.
    pub(crate) fn to_response(&self, request_id: &str) -> Response {
        let (status, code, headers, details) = self.parts();
        let mut body = json!({"error": code});
        if let Some(details) = details {
            body["details"] = json!(details);
        }
        body["request_id"] = json!(request_id);
        Response::json(status.as_u16(), &body, headers)
    }

    /// The `error` field of the response body.
    pub(crate) fn code(&self) -> &'static str {
        self.parts().1
    }

    /// Our fault (logged with its cause chain), as opposed to the sender's.
    pub(crate) fn is_server_fault(&self) -> bool {
        self.parts().0.is_server_error()
    }

    /// Every kind of error once: its status, `error` code, the extra headers the sender needs,
    /// and the field details, if any.
    fn parts(&self) -> (StatusCode, &'static str, Headers, Option<&[Detail]>) {
        use StatusCode as S;
        match self {
            Self::NotHttpEvent => (S::BAD_REQUEST, "unsupported_event", &[], None),
            Self::NotFound => (S::NOT_FOUND, "not_found", &[], None),
            Self::MethodNotAllowed => (
                S::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                &[("allow", "POST")],
                None,
            ),
            Self::UnknownTenant => (S::NOT_FOUND, "unknown_tenant", &[], None),
            Self::Forbidden => (S::FORBIDDEN, "forbidden", &[], None),
            Self::InvalidBody => (S::BAD_REQUEST, "invalid_body", &[], None),
            Self::PayloadTooLarge => (S::PAYLOAD_TOO_LARGE, "payload_too_large", &[], None),
            Self::Signature(e) => {
                let code = match e {
                    SignatureError::Missing => "signature_missing",
                    SignatureError::Invalid => "signature_invalid",
                    SignatureError::TimestampOutOfTolerance => "timestamp_out_of_tolerance",
                };
                (S::UNAUTHORIZED, code, &[], None)
            }
            Self::UnsupportedMediaType => (
                S::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                &[],
                None,
            ),
            Self::InvalidJson => (S::BAD_REQUEST, "invalid_json", &[], None),
            Self::InvalidPayload(details) => {
                (S::BAD_REQUEST, "invalid_payload", &[], Some(details))
            }
            Self::Conflict(conflict) => (S::CONFLICT, conflict.as_str(), &[], None),
            Self::Store(StoreError::Unavailable(_)) => (
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                &[("retry-after", RETRY_AFTER_SECONDS)],
                None,
            ),
            Self::Store(StoreError::Internal(_)) => {
                (S::INTERNAL_SERVER_ERROR, "internal", &[], None)
            }
        }
    }
}

/// Extra response headers (lower-case names).
type Headers = &'static [(&'static str, &'static str)];

/// What a 503 asks the sender to wait.
const RETRY_AFTER_SECONDS: &str = "2";

/// `error: cause: cause…` for the log.
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(cause) = cur {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        cur = cause.source();
    }
    out
}
