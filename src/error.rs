//! Every way a request can end other than success, and the one place they become HTTP.
//! Client faults say what to fix; our faults are opaque (`internal`) and their cause chain goes
//! to the log only.

use http::StatusCode;
use serde_json::json;

use crate::lambda::{BodyRejected, NotHttpEvent, Response};
use crate::payload::{Detail, PayloadError};
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
    #[error("body is not valid base64")]
    InvalidBody,
    #[error("body exceeds the size limit")]
    PayloadTooLarge,
    #[error("signature rejected: {0}")]
    Signature(#[from] SignatureError),
    #[error("content type is not application/json")]
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
        let mut body = json!({"error": self.code()});
        if let Some(details) = self.details() {
            body["details"] = json!(details);
        }
        body["request_id"] = json!(request_id);
        Response::json(self.status().as_u16(), &body, self.headers())
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::NotFound | Self::UnknownTenant => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::NotHttpEvent
            | Self::InvalidBody
            | Self::InvalidJson
            | Self::InvalidPayload(_) => StatusCode::BAD_REQUEST,
            Self::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Signature(_) => StatusCode::UNAUTHORIZED,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Store(StoreError::Unavailable(_)) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Store(StoreError::Internal(_)) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The `error` field of the response body.
    pub(crate) fn code(&self) -> &'static str {
        match self {
            Self::NotHttpEvent => "unsupported_event",
            Self::NotFound => "not_found",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::UnknownTenant => "unknown_tenant",
            Self::InvalidBody => "invalid_body",
            Self::PayloadTooLarge => "payload_too_large",
            Self::Signature(SignatureError::Missing) => "signature_missing",
            Self::Signature(SignatureError::Invalid) => "signature_invalid",
            Self::Signature(SignatureError::TimestampOutOfTolerance) => {
                "timestamp_out_of_tolerance"
            }
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::InvalidJson => "invalid_json",
            Self::InvalidPayload(_) => "invalid_payload",
            Self::Conflict(conflict) => conflict.as_str(),
            Self::Store(StoreError::Unavailable(_)) => "unavailable",
            Self::Store(StoreError::Internal(_)) => "internal",
        }
    }

    /// Extra headers the sender needs.
    fn headers(&self) -> &'static [(&'static str, &'static str)] {
        match self {
            Self::MethodNotAllowed => &[("allow", "POST")],
            Self::Store(StoreError::Unavailable(_)) => &[("retry-after", RETRY_AFTER_SECONDS)],
            Self::NotHttpEvent
            | Self::NotFound
            | Self::UnknownTenant
            | Self::InvalidBody
            | Self::PayloadTooLarge
            | Self::Signature(_)
            | Self::UnsupportedMediaType
            | Self::InvalidJson
            | Self::InvalidPayload(_)
            | Self::Conflict(_)
            | Self::Store(StoreError::Internal(_)) => &[],
        }
    }

    fn details(&self) -> Option<&[Detail]> {
        match self {
            Self::InvalidPayload(d) => Some(d),
            Self::NotHttpEvent
            | Self::NotFound
            | Self::MethodNotAllowed
            | Self::UnknownTenant
            | Self::InvalidBody
            | Self::PayloadTooLarge
            | Self::Signature(_)
            | Self::UnsupportedMediaType
            | Self::InvalidJson
            | Self::Conflict(_)
            | Self::Store(_) => None,
        }
    }

    /// Our fault (logged with its cause chain), as opposed to the sender's.
    pub(crate) fn is_server_fault(&self) -> bool {
        self.status().is_server_error()
    }
}

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
