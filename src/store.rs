//! The only module that knows DynamoDB: item layout, expressions, error names. It takes a
//! [`Write`] (user events) or an [`EventPut`] (inbox) and answers in the domain's words: an
//! outcome ([`UserWriteOutcome`], [`EventPutOutcome`]), a [`Conflict`] the sender must hear about,
//! or a [`StoreError`] that says whether a retry can help.
//!
//! Attribute names are constants and reach DynamoDB only through `#` placeholders; values only
//! through `:` placeholders. Nothing from a payload is spliced into an expression string.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, ConsumedCapacity, Put, ReturnConsumedCapacity,
    ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update,
};
use aws_sdk_dynamodb::Client;

use crate::clock::Timestamp;
use crate::domain::{Action, Change, Ledger, TableName};
use crate::plan::{
    on_delivery_exists, on_item_refused, on_user_refused, Conflict, EventPut, EventPutOutcome,
    StoredUser, UserWriteOutcome, Write, Written,
};

/// Item attribute names (SPEC §6).
mod attr {
    pub(super) const PK: &str = "pk";
    pub(super) const SK: &str = "sk";
    pub(super) const USER_ID: &str = "user_id";
    pub(super) const EMAIL: &str = "email";
    pub(super) const DISPLAY_NAME: &str = "display_name";
    pub(super) const CREATED_AT: &str = "created_at";
    pub(super) const UPDATED_AT: &str = "updated_at";
    pub(super) const LAST_EVENT_AT: &str = "last_event_at";
    pub(super) const LAST_DELIVERY_ID: &str = "last_delivery_id";
    pub(super) const LAST_PAYLOAD_SHA256: &str = "last_payload_sha256";
    pub(super) const VERSION: &str = "version";
    pub(super) const DELETED_AT: &str = "deleted_at";
    pub(super) const EXPIRES_AT: &str = "expires_at";
    pub(super) const RECEIVED_AT: &str = "received_at";
    pub(super) const PAYLOAD_SHA256: &str = "payload_sha256";
    pub(super) const BATCH_SHA256: &str = "batch_sha256";
    pub(super) const ACTION: &str = "action";
    pub(super) const DELIVERY_ID: &str = "delivery_id";
    pub(super) const EVENT_TYPE: &str = "event_type";
    pub(super) const EVENT_TIME: &str = "event_time";
    pub(super) const BODY: &str = "body";
    pub(super) const SENDER_DELIVERY_ID: &str = "sender_delivery_id";
    pub(super) const DROPPED_FIELDS: &str = "dropped_fields";
    pub(super) const CONTENT_TYPE: &str = "content_type";
}

const USER_PK_PREFIX: &str = "USER#";
const USER_SK: &str = "META#latest";
const DELIVERY_PK_PREFIX: &str = "DELIVERY#";
const DELIVERY_SK: &str = "DELIVERY";
const EVENT_PK_PREFIX: &str = "EVENT#";
const EVENT_SK: &str = "EVENT";

/// SDK limits: each attempt and the whole call are bounded, so a request answers well inside
/// the function timeout even when DynamoDB does not.
const ATTEMPT_TIMEOUT: Duration = Duration::from_millis(800);
const OPERATION_TIMEOUT: Duration = Duration::from_millis(2500);
const CONNECT_TIMEOUT: Duration = Duration::from_millis(500);
const SDK_MAX_ATTEMPTS: u32 = 3;
/// Our own retries of a transaction cancelled by a conflicting transaction.
const CONFLICT_ATTEMPTS: u32 = 8;
/// No new conflict retry starts after this much time in `apply`.
const CONFLICT_DEADLINE: Duration = Duration::from_secs(4);

#[derive(Debug, thiserror::Error)]
pub(crate) enum StoreError {
    /// Throttled, timed out, unreachable or still conflicting: the write may or may not have
    /// landed, and a retry is safe.
    #[error("DynamoDB unavailable")]
    Unavailable(#[source] Box<dyn std::error::Error + Send + Sync>),
    /// Anything else (missing table, validation, permissions): our fault, not the sender's.
    #[error("DynamoDB request failed")]
    Internal(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// Why a user write failed: refused by what is stored (a conflict the sender must hear about),
/// or a call that decided nothing.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WriteError {
    /// What is stored refuses this write, and a retry cannot change that.
    #[error("write refused: {}", .0.as_str())]
    Conflict(Conflict),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Message(String);

fn unavailable(msg: impl Into<String>) -> StoreError {
    StoreError::Unavailable(Box::new(Message(msg.into())))
}

fn internal(msg: impl Into<String>) -> StoreError {
    StoreError::Internal(Box::new(Message(msg.into())))
}

#[derive(Debug, Clone)]
pub struct Store {
    client: Client,
}

impl Store {
    /// One client for the life of the function, with our timeouts and retries.
    pub fn new(sdk: &SdkConfig) -> Self {
        let conf = aws_sdk_dynamodb::config::Builder::from(sdk)
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(CONNECT_TIMEOUT)
                    .operation_attempt_timeout(ATTEMPT_TIMEOUT)
                    .operation_timeout(OPERATION_TIMEOUT)
                    .build(),
            )
            .retry_config(RetryConfig::standard().with_max_attempts(SDK_MAX_ATTEMPTS))
            .build();
        Self::from_client(Client::from_conf(conf))
    }

    pub fn from_client(client: Client) -> Self {
        Self { client }
    }

    /// Applies one user write as its tenant's ledger says: with its delivery record in one
    /// transaction, or to the user item alone. Retried only when a refusal decided nothing
    /// (another transaction conflicted, or the item changed in between), within bounds.
    pub(crate) async fn apply(
        &self,
        table: &TableName,
        write: &Write,
    ) -> Result<Written<UserWriteOutcome>, WriteError> {
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let tried = match write.ledger {
                Ledger::Delivery => self.transact(table, write).await?,
                Ledger::Item => self.update_item(table, write).await?,
            };
            let retry = match tried {
                Tried::Applied(write_units) => {
                    return Ok(Written {
                        outcome: UserWriteOutcome::Applied,
                        write_units,
                    })
                }
                Tried::Refused(Refusal::Decided(decided)) => {
                    return decided
                        .map(|outcome| Written {
                            outcome,
                            write_units: None,
                        })
                        .map_err(WriteError::Conflict)
                }
                Tried::Refused(Refusal::Retry(why)) => why,
            };
            if attempt >= CONFLICT_ATTEMPTS || started.elapsed() >= CONFLICT_DEADLINE {
                return Err(unavailable(format!("{retry} after {attempt} attempts")).into());
            }
            tokio::time::sleep(backoff(attempt)).await;
        }
    }

    /// One conditional `UpdateItem` of the user item, which is its own ledger (SPEC §13.4):
    /// refused, the item as it stood (`ALL_OLD`) says why; a refusal it does not explain (the
    /// item changed since) is tried again.
    async fn update_item(&self, table: &TableName, write: &Write) -> Result<Tried, WriteError> {
        let u = user_expression(write);
        let result = self
            .client
            .update_item()
            .table_name(table.as_str())
            .set_key(Some(user_key(write)))
            .update_expression(u.update)
            .condition_expression(u.condition)
            .set_expression_attribute_names(Some(u.names))
            .set_expression_attribute_values(Some(u.values))
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Tried::Applied(write_units(out.consumed_capacity()))),
            Err(SdkError::ServiceError(ctx))
                if matches!(
                    ctx.err(),
                    UpdateItemError::ConditionalCheckFailedException(_)
                ) =>
            {
                let old = match ctx.into_err() {
                    UpdateItemError::ConditionalCheckFailedException(e) => e.item,
                    _ => None,
                };
                let stored = old.as_ref().map(stored_user).transpose()?;
                let last = old.as_ref().and_then(|item| {
                    Some((
                        text_of(item, attr::LAST_DELIVERY_ID)?,
                        text_of(item, attr::LAST_PAYLOAD_SHA256),
                    ))
                });
                Ok(Tried::Refused(match on_item_refused(write, stored, last) {
                    Some(decided) => Refusal::Decided(decided),
                    None => Refusal::Retry("user item changed after refusing the write"),
                }))
            }
            Err(err) => Err(failure(err, |e| {
                use UpdateItemError as E;
                matches!(
                    e,
                    E::ProvisionedThroughputExceededException(_)
                        | E::ThrottlingException(_)
                        | E::RequestLimitExceeded(_)
                        | E::InternalServerError(_)
                        | E::TransactionConflictException(_)
                )
            })
            .into()),
        }
    }

    /// One `TransactWriteItems` of the delivery record and the user item; a conflict with
    /// another transaction is tried again.
    async fn transact(&self, table: &TableName, write: &Write) -> Result<Tried, WriteError> {
        // The SDK takes the items by value: built for each attempt rather than built once and
        // cloned for every one (nearly every write is a single attempt).
        let items = vec![delivery_put(table, write)?, user_update(table, write)?];
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Tried::Applied(write_units(out.consumed_capacity()))),
            Err(err) => Ok(Tried::Refused(classify(err, write)?)),
        }
    }
}

impl Store {
    /// Stores one inbox event with one conditional `PutItem`: `Stored`, or `Duplicate` when an
    /// event is already stored under its delivery id (never overwritten, whatever its body).
    pub(crate) async fn put_event(
        &self,
        table: &TableName,
        put: &EventPut,
    ) -> Result<Written<EventPutOutcome>, StoreError> {
        let mut item = HashMap::from([
            (
                attr::PK.to_owned(),
                s(format!("{EVENT_PK_PREFIX}{}", put.delivery_id)),
            ),
            (attr::SK.to_owned(), s(EVENT_SK)),
            (attr::DELIVERY_ID.to_owned(), s(put.delivery_id.as_str())),
            (attr::EVENT_TIME.to_owned(), n(put.event_time.unix_millis())),
            (attr::RECEIVED_AT.to_owned(), s(&put.received_at)),
            (attr::PAYLOAD_SHA256.to_owned(), s(&put.payload_sha256)),
            (attr::BODY.to_owned(), s(&put.body)),
            (
                attr::EXPIRES_AT.to_owned(),
                n(put.expires_at.unix_seconds()),
            ),
        ]);
        if let Some(t) = &put.event_type {
            item.insert(attr::EVENT_TYPE.to_owned(), s(t));
        }
        if let Some(id) = &put.sender_delivery_id {
            item.insert(attr::SENDER_DELIVERY_ID.to_owned(), s(id.as_str()));
        }
        if let Some(content_type) = put.content_type {
            item.insert(attr::CONTENT_TYPE.to_owned(), s(content_type));
        }
        if let Some(hash) = &put.batch_sha256 {
            item.insert(attr::BATCH_SHA256.to_owned(), s(hash));
        }
        let mut e = Expr::default();
        let condition = e.not_exists(attr::PK);
        let result = self
            .client
            .put_item()
            .table_name(table.as_str())
            .set_item(Some(item))
            .condition_expression(condition)
            .set_expression_attribute_names(Some(e.names))
            .return_consumed_capacity(ReturnConsumedCapacity::Total)
            .send()
            .await;
        match result {
            Ok(out) => Ok(Written {
                outcome: EventPutOutcome::Stored,
                write_units: write_units(out.consumed_capacity()),
            }),
            Err(SdkError::ServiceError(ctx))
                if matches!(ctx.err(), PutItemError::ConditionalCheckFailedException(_)) =>
            {
                Ok(Written {
                    outcome: EventPutOutcome::Duplicate,
                    write_units: None,
                })
            }
            Err(err) => Err(failure(err, |e| {
                use PutItemError as E;
                matches!(
                    e,
                    E::ProvisionedThroughputExceededException(_)
                        | E::ThrottlingException(_)
                        | E::RequestLimitExceeded(_)
                        | E::InternalServerError(_)
                        // Another request wrote the item at this moment: a retry decides.
                        | E::TransactionConflictException(_)
                )
            })),
        }
    }
}

/// How many of a batch's puts are in flight at once: a bound, so a 1000-event batch does not
/// burst an on-demand table's partition.
const BATCH_CONCURRENCY: usize = 16;
/// How long a batch's puts may take together: the template gives the function 10 s.
const BATCH_DEADLINE: Duration = Duration::from_secs(6);

/// How a batch's puts ended, each `Stored` or `Duplicate`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BatchOutcome {
    pub(crate) stored: usize,
    pub(crate) duplicate: usize,
}

impl Store {
    /// Stores a batch's events, one conditional `PutItem` each ([`Store::put_event`]), at most
    /// [`BATCH_CONCURRENCY`] at a time. Every put is tried; when any did not decide, the batch
    /// is `Unavailable` (SPEC §13.3: the sender re-sends it, and what was stored is then a
    /// duplicate), whatever the cause, with the first cause kept for the log.
    pub(crate) async fn put_events(
        &self,
        table: &TableName,
        puts: &[EventPut],
    ) -> Result<Written<BatchOutcome>, StoreError> {
        use futures_util::stream::{self, StreamExt};
        // The futures are made first: a stream's `map` closure would make the whole future
        // lose `Send` (a higher-ranked lifetime the compiler cannot prove).
        let puts_made: Vec<_> = puts.iter().map(|put| self.put_event(table, put)).collect();
        let all = stream::iter(puts_made)
            .buffer_unordered(BATCH_CONCURRENCY)
            .collect::<Vec<_>>();
        // Answered inside the function's timeout: a slow DynamoDB makes it 503, never a
        // timed-out invocation without a log line (the puts made are duplicates on retry).
        let results = tokio::time::timeout(BATCH_DEADLINE, all)
            .await
            .map_err(|_| {
                unavailable(format!(
                    "batch of {} events not stored within {BATCH_DEADLINE:?}",
                    puts.len()
                ))
            })?;
        let (mut outcome, mut units, mut failed, mut first) =
            (BatchOutcome::default(), None, 0, None);
        for result in results {
            match result {
                Ok(written) => {
                    match written.outcome {
                        EventPutOutcome::Stored => outcome.stored += 1,
                        EventPutOutcome::Duplicate => outcome.duplicate += 1,
                    }
                    if let Some(u) = written.write_units {
                        units = Some(units.unwrap_or(0.0) + u);
                    }
                }
                Err(e) => {
                    failed += 1;
                    first.get_or_insert(e);
                }
            }
        }
        match first {
            None => Ok(Written {
                outcome,
                write_units: units,
            }),
            Some(cause) => Err(StoreError::Unavailable(Box::new(BatchNotStored {
                failed,
                total: puts.len(),
                cause,
            }))),
        }
    }
}

/// Some of a batch's events were not stored; the first cause is its source.
#[derive(Debug, thiserror::Error)]
#[error("{failed} of {total} batch events not stored")]
struct BatchNotStored {
    failed: usize,
    total: usize,
    #[source]
    cause: StoreError,
}

/// The write request units of a successful call, summed over its tables.
fn write_units<'a>(consumed: impl IntoIterator<Item = &'a ConsumedCapacity>) -> Option<f64> {
    consumed
        .into_iter()
        .filter_map(ConsumedCapacity::capacity_units)
        .reduce(|a, b| a + b)
}

/// What one attempt of a user write did.
enum Tried {
    /// Written; the write units DynamoDB reported.
    Applied(Option<f64>),
    Refused(Refusal),
}

enum Refusal {
    Decided(Result<UserWriteOutcome, Conflict>),
    Retry(&'static str),
}

/// Exponential backoff with jitter: 10 ms, 20 ms, … capped at 160 ms, plus up to as much again.
fn backoff(attempt: u32) -> Duration {
    let base = 10u64 << attempt.saturating_sub(1).min(4);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::from(d.subsec_nanos()));
    Duration::from_millis(base + nanos % (base + 1))
}

fn classify(err: SdkError<TransactWriteItemsError>, write: &Write) -> Result<Refusal, StoreError> {
    if let SdkError::ServiceError(ctx) = &err {
        if let TransactWriteItemsError::TransactionCanceledException(tc) = ctx.err() {
            return cancelled(tc.cancellation_reasons(), write);
        }
    }
    Err(failure(err, |e| {
        use TransactWriteItemsError as E;
        matches!(
            e,
            E::ProvisionedThroughputExceededException(_)
                | E::ThrottlingException(_)
                | E::RequestLimitExceeded(_)
                | E::InternalServerError(_)
                | E::TransactionInProgressException(_)
        )
    }))
}

/// A failed call that decided nothing: throttled, timed out, unreachable or briefly unable
/// (`transient` says which of the operation's errors are) is `Unavailable`, and a retry is safe;
/// anything else (missing table, validation, permissions) is `Internal`.
fn failure<E>(
    err: SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
    transient: impl Fn(&E) -> bool,
) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match err {
        SdkError::ServiceError(ctx) => {
            let err = ctx.into_err();
            let transient = transient(&err)
                || matches!(
                    err.code(),
                    Some("ServiceUnavailable" | "ThrottlingException")
                );
            if transient {
                StoreError::Unavailable(Box::new(err))
            } else {
                StoreError::Internal(Box::new(err))
            }
        }
        err @ (SdkError::TimeoutError(_)
        | SdkError::DispatchFailure(_)
        | SdkError::ResponseError(_)) => StoreError::Unavailable(Box::new(err)),
        err => StoreError::Internal(Box::new(err)),
    }
}

/// Reads the per-item reasons of a cancelled transaction (item 0: delivery, item 1: user).
fn cancelled(reasons: &[CancellationReason], write: &Write) -> Result<Refusal, StoreError> {
    let code = |i: usize| reasons.get(i).and_then(|r| r.code()).unwrap_or("None");
    let item = |i: usize| reasons.get(i).and_then(|r| r.item());

    // The delivery record decides first: a replay is a duplicate whatever the user item says.
    if code(0) == "ConditionalCheckFailed" {
        let sha = item(0)
            .and_then(|i| i.get(attr::PAYLOAD_SHA256))
            .and_then(|v| v.as_s().ok());
        return Ok(Refusal::Decided(on_delivery_exists(
            write,
            sha.map(String::as_str),
        )));
    }
    if code(1) == "ConditionalCheckFailed" {
        let stored = match item(1) {
            None => None,
            Some(i) => Some(stored_user(i)?),
        };
        return Ok(
            match on_user_refused(write.action, write.event_time, stored) {
                Some(outcome) => Refusal::Decided(outcome),
                None => Refusal::Retry("user item changed during the transaction"),
            },
        );
    }
    let codes: Vec<&str> = (0..reasons.len()).map(code).collect();
    if codes.contains(&"TransactionConflict") {
        return Ok(Refusal::Retry("transaction conflict"));
    }
    if codes
        .iter()
        .any(|c| matches!(*c, "ThrottlingError" | "ProvisionedThroughputExceeded"))
    {
        return Err(unavailable(format!("transaction throttled: {codes:?}")));
    }
    Err(internal(format!("transaction cancelled: {codes:?}")))
}

fn stored_user(item: &HashMap<String, AttributeValue>) -> Result<StoredUser, StoreError> {
    let last_event_at = item
        .get(attr::LAST_EVENT_AT)
        .and_then(|v| v.as_n().ok())
        .and_then(|n| n.parse().ok())
        .map(Timestamp::from_unix_millis)
        .ok_or_else(|| internal("stored user item has no numeric last_event_at"))?;
    Ok(StoredUser {
        last_event_at,
        tombstone: item.contains_key(attr::DELETED_AT),
    })
}

/// A string attribute of `item`.
fn text_of<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn n(v: i64) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

fn delivery_put(table: &TableName, w: &Write) -> Result<TransactWriteItem, StoreError> {
    let item = HashMap::from([
        (
            attr::PK.to_owned(),
            s(format!("{DELIVERY_PK_PREFIX}{}", w.delivery_id)),
        ),
        (attr::SK.to_owned(), s(DELIVERY_SK)),
        (attr::RECEIVED_AT.to_owned(), s(&w.received_at)),
        (attr::PAYLOAD_SHA256.to_owned(), s(&w.payload_sha256)),
        (attr::USER_ID.to_owned(), s(w.user_id.as_str())),
        (attr::ACTION.to_owned(), s(w.action.as_str())),
        (
            attr::EXPIRES_AT.to_owned(),
            n(w.delivery_expires_at.unix_seconds()),
        ),
    ]);
    let mut e = Expr::default();
    let condition = e.not_exists(attr::PK);
    let put = Put::builder()
        .table_name(table.as_str())
        .set_item(Some(item))
        .condition_expression(condition)
        .set_expression_attribute_names(Some(e.names))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(|e| StoreError::Internal(Box::new(e)))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// Collects `SET`/`REMOVE` clauses and condition parts, each built together with the
/// placeholders it uses: `#` + a constant attribute name, or a fixed `:` name. Nothing else
/// reaches an expression string.
#[derive(Default)]
struct Expr {
    set: Vec<String>,
    remove: Vec<String>,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

impl Expr {
    fn name(&mut self, attr: &'static str) -> String {
        let placeholder = format!("#{attr}");
        self.names.insert(placeholder.clone(), attr.to_owned());
        placeholder
    }

    fn value(&mut self, placeholder: &'static str, v: AttributeValue) -> &'static str {
        self.values.insert(placeholder.to_owned(), v);
        placeholder
    }

    fn set(&mut self, attr: &'static str, placeholder: &'static str, v: AttributeValue) {
        let name = self.name(attr);
        let value = self.value(placeholder, v);
        self.set.push(format!("{name} = {value}"));
    }

    fn change<T: AsRef<str>>(
        &mut self,
        attr: &'static str,
        placeholder: &'static str,
        change: &Change<T>,
    ) {
        match change {
            Change::Keep => {}
            Change::Set(v) => self.set(attr, placeholder, s(v.as_ref())),
            Change::Remove => self.remove(attr),
        }
    }

    fn remove(&mut self, attr: &'static str) {
        let name = self.name(attr);
        self.remove.push(name);
    }

    /// `version = if_not_exists(version, 0) + 1` (`existing`: `version = version + 1`).
    fn bump_version(&mut self, existing: bool) {
        let version = self.name(attr::VERSION);
        let one = self.value(":one", n(1));
        let base = if existing {
            version.clone()
        } else {
            let zero = self.value(":zero", n(0));
            format!("if_not_exists({version}, {zero})")
        };
        self.set.push(format!("{version} = {base} + {one}"));
    }

    fn not_exists(&mut self, attr: &'static str) -> String {
        format!("attribute_not_exists({})", self.name(attr))
    }

    fn exists(&mut self, attr: &'static str) -> String {
        format!("attribute_exists({})", self.name(attr))
    }

    /// `attr <> value`, for a value already registered.
    fn differs(&mut self, attr: &'static str, placeholder: &'static str) -> String {
        let name = self.name(attr);
        format!("{name} <> {placeholder}")
    }

    /// `attr < value`, the value registered with it.
    fn older(
        &mut self,
        attr: &'static str,
        placeholder: &'static str,
        v: AttributeValue,
    ) -> String {
        let name = self.name(attr);
        let value = self.value(placeholder, v);
        format!("{name} < {value}")
    }

    fn update_expression(&self) -> String {
        let mut out = format!("SET {}", self.set.join(", "));
        if !self.remove.is_empty() {
            out.push_str(" REMOVE ");
            out.push_str(&self.remove.join(", "));
        }
        out
    }
}

/// The user item's key.
fn user_key(w: &Write) -> HashMap<String, AttributeValue> {
    HashMap::from([
        (
            attr::PK.to_owned(),
            s(format!("{USER_PK_PREFIX}{}", w.user_id.as_str())),
        ),
        (attr::SK.to_owned(), s(USER_SK)),
    ])
}

/// The user item's update: its expression, its condition (SPEC §6's table on the item), and
/// their names and values.
struct UserUpdate {
    update: String,
    condition: String,
    names: HashMap<String, String>,
    values: HashMap<String, AttributeValue>,
}

fn user_update(table: &TableName, w: &Write) -> Result<TransactWriteItem, StoreError> {
    let u = user_expression(w);
    let update = Update::builder()
        .table_name(table.as_str())
        .set_key(Some(user_key(w)))
        .update_expression(u.update)
        .condition_expression(u.condition)
        .set_expression_attribute_names(Some(u.names))
        .set_expression_attribute_values(Some(u.values))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
        .build()
        .map_err(|err| StoreError::Internal(Box::new(err)))?;
    Ok(TransactWriteItem::builder().update(update).build())
}

fn user_expression(w: &Write) -> UserUpdate {
    let mut e = Expr::default();
    e.set(attr::UPDATED_AT, ":now", s(&w.received_at));
    let t = || n(w.event_time.at.unix_millis());
    e.set(attr::LAST_EVENT_AT, ":t", t());
    e.set(
        attr::LAST_DELIVERY_ID,
        ":delivery",
        s(w.delivery_id.as_str()),
    );
    // The item is its own ledger: the last delivery's body decides a duplicate. Under the
    // delivery ledger no hash is kept, so one left from an earlier `item` period never speaks
    // for another delivery.
    match w.ledger {
        Ledger::Item => e.set(
            attr::LAST_PAYLOAD_SHA256,
            ":sha",
            s(w.payload_sha256.as_str()),
        ),
        Ledger::Delivery => e.remove(attr::LAST_PAYLOAD_SHA256),
    }
    let m = &w.metadata;
    // Fields left out of the event: named for this event, or none any more.
    let dropped = |e: &mut Expr| {
        if m.dropped.is_empty() {
            e.remove(attr::DROPPED_FIELDS);
        } else {
            let names = m.dropped.iter().map(|f| f.as_str().to_owned()).collect();
            e.set(attr::DROPPED_FIELDS, ":dropped", AttributeValue::Ss(names));
        }
    };

    let condition = match w.action {
        Action::Create => {
            e.bump_version(false);
            e.set(attr::USER_ID, ":user", s(w.user_id.as_str()));
            e.change(attr::EMAIL, ":email", &m.email);
            e.change(attr::DISPLAY_NAME, ":name", &m.display_name);
            if let Some(created) = &m.created_at {
                e.set(attr::CREATED_AT, ":created", s(created));
            }
            dropped(&mut e);
            // Re-creating over a tombstone: it stops being one.
            e.remove(attr::DELETED_AT);
            e.remove(attr::EXPIRES_AT);
            let new = e.not_exists(attr::PK);
            if w.event_time.sender_owned {
                let tombstone = e.exists(attr::DELETED_AT);
                let older = e.older(attr::LAST_EVENT_AT, ":t", t());
                format!("{new} OR ({tombstone} AND {older})")
            } else {
                // A time the sender signed for this attempt only never re-creates (SPEC §5).
                new
            }
        }
        Action::Update => {
            e.bump_version(true);
            e.change(attr::EMAIL, ":email", &m.email);
            e.change(attr::DISPLAY_NAME, ":name", &m.display_name);
            dropped(&mut e);
            let exists = e.exists(attr::PK);
            let live = e.not_exists(attr::DELETED_AT);
            let older = e.older(attr::LAST_EVENT_AT, ":t", t());
            format!("{exists} AND {live} AND {older}")
        }
        Action::Delete => {
            e.bump_version(false);
            e.set(attr::USER_ID, ":user", s(w.user_id.as_str()));
            e.set(attr::DELETED_AT, ":deleted", s(&w.received_at));
            e.set(
                attr::EXPIRES_AT,
                ":expires",
                n(w.tombstone_expires_at.unix_seconds()),
            );
            // A tombstone keeps only keys, user_id, version, times and the last delivery id.
            e.remove(attr::EMAIL);
            e.remove(attr::DISPLAY_NAME);
            e.remove(attr::CREATED_AT);
            e.remove(attr::DROPPED_FIELDS);
            let new = e.not_exists(attr::PK);
            let older = e.older(attr::LAST_EVENT_AT, ":t", t());
            format!("{new} OR {older}")
        }
    };

    // The item as its own ledger refuses its last delivery again, whatever §6 says: the
    // refusal then tells a duplicate from a reused id.
    let condition = match w.ledger {
        Ledger::Delivery => condition,
        Ledger::Item => {
            let first = e.not_exists(attr::LAST_DELIVERY_ID);
            let other = e.differs(attr::LAST_DELIVERY_ID, ":delivery");
            format!("({condition}) AND ({first} OR {other})")
        }
    };
    UserUpdate {
        update: e.update_expression(),
        condition,
        names: e.names,
        values: e.values,
    }
}
