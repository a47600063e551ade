//! The domain, apart from any one wire format or sender: delivery ids, user ids, actions, user
//! events and their event times, the rules a user's email and display name obey, and what is
//! wrong with a body (a [`Detail`] per field). Formats parse into these; the plan and the store
//! read them.

use std::fmt;
use std::time::Duration;

use serde::Serialize;
use unicode_general_category::{get_general_category, GeneralCategory};

use crate::clock::Timestamp;

/// A delivery's id: `^[A-Za-z0-9_:-]{1,128}$`. No dots, so `{id}.{timestamp}.{body}` splits one
/// way only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DeliveryId(String);

impl DeliveryId {
    pub fn parse(raw: &str) -> Option<Self> {
        let ok = (1..=128).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b':' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    /// An id the sender signs inside its body (SPEC §13.2): `^[A-Za-z0-9._:+/=-]{1,128}$`, so
    /// a base64 id keeps its padding (SendGrid's `sg_event_id`). It is never part of a signed
    /// layout that a dot would split.
    pub(crate) fn from_body(raw: &str) -> Option<Self> {
        let ok = (1..=128).contains(&raw.len())
            && raw.bytes().all(|b| {
                b.is_ascii_alphanumeric()
                    || matches!(b, b'.' | b'_' | b':' | b'+' | b'/' | b'=' | b'-')
            });
        ok.then(|| Self(raw.to_owned()))
    }

    /// `sha256:` + the body's hex digest: the id of a body whose sender signs no id.
    pub(crate) fn body_hash(sha256_hex: &str) -> Self {
        Self(format!("sha256:{sha256_hex}"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A key derived from what a request carries (a hash of what a sender signed, where it signs no
/// id): `sha256:` + hex. It makes a replay of the same content a `duplicate`; it is not a signed
/// delivery id, and never stands in for one where the sender's own event time is required.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentKey(DeliveryId);

impl ContentKey {
    /// The key of content whose SHA-256 is `sha256_hex`.
    pub(crate) fn of_sha256(sha256_hex: &str) -> Self {
        Self(DeliveryId::body_hash(sha256_hex))
    }

    /// The id an item is keyed by.
    pub fn as_delivery_id(&self) -> &DeliveryId {
        &self.0
    }
}

/// A tenant slug from the allowlist: `^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(raw: &str) -> Option<Self> {
        let bytes = raw.as_bytes();
        let ok = (1..=63).contains(&bytes.len())
            && bytes[0].is_ascii_alphanumeric()
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A DynamoDB table name: `^[A-Za-z0-9_.-]{3,255}$`. Only configuration makes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableName(String);

impl TableName {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        let ok = (3..=255).contains(&raw.len())
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'));
        ok.then(|| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long what a write leaves behind lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ttls {
    /// A delivery record (the replay window).
    pub delivery: Duration,
    /// A deleted user's tombstone.
    pub tombstone: Duration,
    /// An inbox event.
    pub inbox: Duration,
}

/// When DynamoDB's TTL may delete an item: whole seconds since the Unix epoch, receipt time
/// (rounded down to the second) plus a lifetime, saturating.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Expiry(i64);

impl Expiry {
    pub fn after(now: Timestamp, lifetime: Duration) -> Self {
        let lifetime = i64::try_from(lifetime.as_secs()).unwrap_or(i64::MAX);
        Self(now.unix_seconds().saturating_add(lifetime))
    }

    pub fn unix_seconds(self) -> i64 {
        self.0
    }
}

/// A user's id, checked by the format that read it (v1: `^usr_[a-f0-9]{8}$`; Clerk: its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserId(String);

impl UserId {
    /// A user id some format has already checked against its own rule.
    pub(crate) fn from_validated(id: String) -> Self {
        Self(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        match raw {
            "create" => Some(Self::Create),
            "update" => Some(Self::Update),
            "delete" => Some(Self::Delete),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

/// Where a user-event tenant records that a delivery was applied (SPEC §6, §13.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Ledger {
    /// A delivery record beside the user item, written with it in one transaction: every
    /// delivery id is remembered for its TTL (`delivery_id_reused` across users).
    #[default]
    Delivery,
    /// The user item alone, one conditional `UpdateItem`: it keeps the last delivery's id and
    /// hash. One write unit; no transaction, so the table may be a multi-Region strongly
    /// consistent global table.
    Item,
}

impl Ledger {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "delivery" => Some(Self::Delivery),
            "item" => Some(Self::Item),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivery => "delivery",
            Self::Item => "item",
        }
    }
}

/// What an event does to one user field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Change<T> {
    /// Leave the stored value as it is (a v1 `update` that does not name the field).
    #[default]
    Keep,
    Set(T),
    /// The sender has no value (any more): remove the stored one.
    Remove,
}

impl<T> Change<T> {
    /// `Set` when there is a value, else `Keep`.
    pub(crate) fn set_if(value: Option<T>) -> Self {
        value.map_or(Self::Keep, Self::Set)
    }

    /// `Set` when there is a value, else `Remove`: the sender states the whole field.
    pub(crate) fn state(value: Option<T>) -> Self {
        value.map_or(Self::Remove, Self::Set)
    }
}

/// A user's email as a user item stores it ([`is_valid_email`]). `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// `s`, when it is an email a user item may store.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        is_valid_email(s).then(|| Self(s.to_owned()))
    }

    /// An email a format has already checked with [`is_valid_email`] (v1's garde rule).
    pub(crate) fn from_validated(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Email {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Email(<redacted>)")
    }
}

/// A user's display name as a user item stores it ([`is_valid_display_name`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// `s`, when it is a display name a user item may store.
    pub(crate) fn parse(s: &str) -> Option<Self> {
        is_valid_display_name(s).then(|| Self(s.to_owned()))
    }

    /// A display name a format has already checked with [`is_valid_display_name`].
    pub(crate) fn from_validated(s: String) -> Self {
        Self(s)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for DisplayName {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// A user field a format left out because the sender's value broke its rule (SPEC §11).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UserField {
    Email,
    DisplayName,
    CreatedAt,
}

impl UserField {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::DisplayName => "display_name",
            Self::CreatedAt => "created_at",
        }
    }
}

/// The user fields an event changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    pub email: Change<Email>,
    pub display_name: Change<DisplayName>,
    /// Set on `create` only.
    pub created_at: Option<String>,
    /// Values the sender sent that broke a rule and were left out (empty for v1, which refuses
    /// them instead).
    pub dropped: Vec<UserField>,
}

/// When an event happened, and whose word that is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventTime {
    pub at: Timestamp,
    /// The sender's own time for the event (v1 `occurred_at`, Clerk's `timestamp`), as opposed
    /// to the time a delivery attempt was signed or received. Only such a time may re-create a
    /// deleted user: Standard Webhooks senders sign each retry anew, so a retried `create`
    /// carries a fresh signed time (SPEC §5).
    pub sender_owned: bool,
}

/// A validated user event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserEvent {
    pub user_id: UserId,
    pub action: Action,
    /// The sender's own event time, when it gave one.
    pub occurred_at: Option<Timestamp>,
    pub metadata: Metadata,
}

/// One problem with a body: a dotted path (`metadata.email`; empty for the whole body) and a
/// message that never contains the submitted value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    pub path: String,
    pub message: String,
}

impl Detail {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Why a verified body was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PayloadError {
    /// Not JSON at all (syntax, encoding, trailing data), or not the JSON the format needs at
    /// the top.
    InvalidJson,
    /// JSON, but not of the format's shape.
    Invalid(Vec<Detail>),
    /// A batch element larger than one item may hold (SPEC §13.3): 413.
    ElementTooLarge,
}

impl PayloadError {
    pub(crate) fn at(path: &str, message: &str) -> Self {
        Self::Invalid(vec![Detail::new(path, message)])
    }
}

/// Longest email stored.
const MAX_EMAIL_LEN: usize = 254;

/// An email as a user item stores it: garde's `email` rule, at most 254 characters.
pub(crate) fn is_valid_email(s: &str) -> bool {
    s.len() <= MAX_EMAIL_LEN && garde::rules::email::parse_email(s).is_ok()
}

/// The message for an email that breaks [`is_valid_email`].
pub(crate) const EMAIL_RULE: &str = "must be a valid email address of at most 254 characters";

/// The message for a display name that breaks [`is_valid_display_name`].
pub(crate) const DISPLAY_NAME_RULE: &str = "must be 1 to 128 characters with something to \
     read, no invisible or line-breaking character except where a name or emoji needs one, and \
     at most 8 combining marks in a row";

/// Longest run of combining marks accepted: enough for any script's stacked vowels and tones,
/// too few to draw over neighbouring lines ("Zalgo" text).
const MAX_COMBINING_RUN: usize = 8;

/// A display name as a user item stores it (SPEC §5, §13.1): 1 to 128 characters; no control,
/// line-breaking, format or default-ignorable character except those that real names and emoji
/// need, each only where it does that job; no run of more than 8 combining marks; something a
/// reader can see (a letter, number, punctuation or symbol other than the blank U+2800).
///
/// - Tag characters only as a subdivision flag every platform draws: U+1F3F4, the tags of
///   `gbeng`, `gbsct` or `gbwls`, the cancel tag (any other code draws a black flag and hides
///   its tags: ASCII text a program reads and a person does not see).
/// - ZWJ and ZWNJ only between two visible characters, never between two ASCII ones, with at
///   most one variation selector between the first and the joiner (🏳️‍🌈, ❤️‍🔥).
/// - A variation selector only after a character it selects a form of (`selects`), at most 8
///   in a name; never two joiners or two selectors in a row. Unassigned code points are
///   refused.
pub(crate) fn is_valid_display_name(s: &str) -> bool {
    if !(1..=128).contains(&s.chars().count()) {
        return false;
    }
    let mut marks = 0;
    let mut readable = false;
    // The last character that was not a joiner or a selector, and what followed it.
    let mut base: Option<char> = None;
    let mut selected = false;
    // After a joiner: the next character must be visible, and not ASCII when `base` was.
    let mut joined_after: Option<char> = None;
    // Inside a subdivision flag: the code its tags spell so far.
    let mut tags: Option<String> = None;
    let mut selectors = 0;
    for c in s.chars() {
        if let Some(code) = tags.as_mut() {
            match c {
                // Only a flag that draws: any other code shows a black flag and hides its tags.
                CANCEL_TAG if RGI_SUBDIVISIONS.contains(&code.as_str()) => tags = None,
                c if is_flag_tag(c) && code.len() < MAX_FLAG_TAGS => {
                    code.push(char::from_u32(c as u32 - 0xE0000).unwrap_or('?'));
                }
                _ => return false,
            }
            continue;
        }
        match invisible_kind(c) {
            Some(Invisible::Tag) => {
                let opens_flag = base == Some(BLACK_FLAG) && !selected && joined_after.is_none();
                if !opens_flag || !is_flag_tag(c) {
                    return false;
                }
                tags = Some(char::from_u32(c as u32 - 0xE0000).into_iter().collect());
                base = None;
            }
            Some(Invisible::Joiner) => {
                let Some(first) = base.filter(|_| joined_after.is_none()) else {
                    return false;
                };
                joined_after = Some(first);
            }
            Some(Invisible::Selector) => {
                let Some(b) = base.filter(|_| !selected && joined_after.is_none()) else {
                    return false;
                };
                selectors += 1;
                if !selects(c, b) || selectors > MAX_SELECTORS {
                    return false;
                }
                selected = true;
            }
            None => {
                if !is_allowed_visible(c) {
                    return false;
                }
                if let Some(first) = joined_after.take() {
                    if c.is_whitespace() || (first.is_ascii() && c.is_ascii()) {
                        return false;
                    }
                }
                let category = get_general_category(c);
                if matches!(
                    category,
                    GeneralCategory::NonspacingMark | GeneralCategory::EnclosingMark
                ) {
                    marks += 1;
                    if marks > MAX_COMBINING_RUN {
                        return false;
                    }
                } else {
                    marks = 0;
                }
                readable |= is_readable(c, category);
                // Whitespace is allowed in a name, but nothing joins to it.
                base = (!c.is_whitespace()).then_some(c);
                selected = false;
            }
        }
    }
    readable && tags.is_none() && joined_after.is_none()
}

/// A letter, number, punctuation or symbol, other than the Braille blank (U+2800: a symbol
/// that draws nothing).
fn is_readable(c: char, category: GeneralCategory) -> bool {
    use GeneralCategory as G;
    c != '\u{2800}'
        && matches!(
            category,
            G::UppercaseLetter
                | G::LowercaseLetter
                | G::TitlecaseLetter
                | G::ModifierLetter
                | G::OtherLetter
                | G::DecimalNumber
                | G::LetterNumber
                | G::OtherNumber
                | G::ConnectorPunctuation
                | G::DashPunctuation
                | G::OpenPunctuation
                | G::ClosePunctuation
                | G::InitialPunctuation
                | G::FinalPunctuation
                | G::OtherPunctuation
                | G::MathSymbol
                | G::CurrencySymbol
                | G::ModifierSymbol
                | G::OtherSymbol
        )
}

/// Whether selector `c` chooses a form of `base` (so it cannot ride on any letter, each one of
/// 256 selectors carrying a byte no reader sees): emoji presentation (U+FE0E/FE0F) after a
/// character other than an ASCII letter (keycaps: `1️⃣`), the other standardized selectors after
/// non-ASCII, ideographic ones (U+E0100–E01EF) after a CJK ideograph, Mongolian ones after
/// Mongolian.
fn selects(c: char, base: char) -> bool {
    match c {
        '\u{FE0E}' | '\u{FE0F}' => !base.is_ascii() || matches!(base, '0'..='9' | '#' | '*'),
        '\u{FE00}'..='\u{FE0D}' => !base.is_ascii(),
        '\u{E0100}'..='\u{E01EF}' => matches!(base,
            '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}'
            | '\u{20000}'..='\u{3134F}'),
        _ => matches!(base, '\u{1800}'..='\u{18AF}'),
    }
}

/// Most variation selectors in one name: enough for a row of emoji, too few to carry a message.
const MAX_SELECTORS: usize = 8;

/// The subdivision flags every platform draws (Unicode's RGI set: England, Scotland, Wales).
const RGI_SUBDIVISIONS: [&str; 3] = ["gbeng", "gbsct", "gbwls"];

/// A tag that spells a subdivision code: a digit or a lower-case letter.
fn is_flag_tag(c: char) -> bool {
    matches!(c, '\u{E0030}'..='\u{E0039}' | '\u{E0061}'..='\u{E007A}')
}

/// The flag a subdivision's tag sequence follows.
const BLACK_FLAG: char = '\u{1F3F4}';
/// The tag that ends an emoji tag sequence.
const CANCEL_TAG: char = '\u{E007F}';
/// Most tags in a subdivision flag (`gbsct` is 5; Unicode allows up to 6).
const MAX_FLAG_TAGS: usize = 6;

/// The invisible characters names and emoji need.
enum Invisible {
    /// ZWNJ and ZWJ (Persian, Indic scripts, emoji sequences).
    Joiner,
    /// Variation selectors (emoji presentation, Mongolian free variation selectors).
    Selector,
    /// Tag characters (subdivision flags such as Scotland's).
    Tag,
}

fn invisible_kind(c: char) -> Option<Invisible> {
    match c {
        '\u{200C}' | '\u{200D}' => Some(Invisible::Joiner),
        '\u{FE00}'..='\u{FE0F}'
        | '\u{E0100}'..='\u{E01EF}'
        | '\u{180B}'..='\u{180D}'
        | '\u{180F}' => Some(Invisible::Selector),
        '\u{E0020}'..='\u{E007F}' => Some(Invisible::Tag),
        _ => None,
    }
}

/// Cc, Zl, Zp, Cf and Default_Ignorable_Code_Point characters are refused: bidi controls, soft
/// hyphens, zero-width spaces, Hangul fillers, line separators.
fn is_allowed_visible(c: char) -> bool {
    // Unassigned too: a later Unicode may make one a format character.
    let refused_category = matches!(
        get_general_category(c),
        GeneralCategory::Control
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
            | GeneralCategory::Format
            | GeneralCategory::Unassigned
    );
    !refused_category && !is_default_ignorable(c)
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt). The property is stable:
/// new characters are assigned it only inside these ranges. A test compares this table with
/// `regex`'s Unicode tables for every code point.
fn is_default_ignorable(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}'..='\u{1160}' | '\u{17B4}'..='\u{17B5}'
        | '\u{180B}'..='\u{180F}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
        | '\u{FFA0}' | '\u{FFF0}'..='\u{FFF8}' | '\u{1BCA0}'..='\u{1BCA3}'
        | '\u{1D173}'..='\u{1D17A}' | '\u{E0000}'..='\u{E0FFF}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_and_display_names_are_parsed_once_and_an_email_never_shown() {
        let email = Email::parse("ana@example.com").unwrap();
        assert_eq!(email.as_str(), "ana@example.com");
        assert_eq!(format!("{email:?}"), "Email(<redacted>)");
        assert!(Email::parse("not an email").is_none());
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(250))).is_none());
        assert_eq!(
            DisplayName::parse("Ana María").unwrap().as_str(),
            "Ana María"
        );
        assert!(DisplayName::parse("a\u{202E}b").is_none());
        assert!(DisplayName::parse("").is_none());
    }

    #[test]
    fn delivery_id_charset() {
        assert!(DeliveryId::parse("msg_p5jXN8AQM9LWM0D4loKWxJek").is_some());
        assert!(DeliveryId::parse("a:b-c_D").is_some());
        assert!(DeliveryId::parse(&"a".repeat(128)).is_some());
        for bad in ["", "a.b", "a b", "ü", "a/b", &"a".repeat(129)] {
            assert!(DeliveryId::parse(bad).is_none(), "{bad:?}");
        }
    }

    #[test]
    fn names_people_have_are_accepted() {
        for name in [
            "Ana María",
            "\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}", // Persian, with ZWNJ
            "\u{1F469}\u{200D}\u{1F4BB} Ana",                            // ZWJ sequence
            "\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}", // subdivision flag
            "\u{2764}\u{FE0F}",                                          // variation selector 16
            "\u{182E}\u{180B}", // Mongolian free variation selector
            "\u{928}\u{92E}\u{938}\u{94D}\u{924}\u{947}", // Devanagari, combining signs
            "Zoë Ŝ",
            "e\u{301}\u{302}\u{303}\u{304}\u{305}\u{306}\u{307}\u{308}", // 8 marks
            "\u{1F3F3}\u{FE0F}\u{200D}\u{1F308}", // rainbow flag: selector, then the joiner
            "\u{2764}\u{FE0F}\u{200D}\u{1F525}",  // heart on fire
            "\u{915}\u{94D}\u{200D}\u{937}",      // Devanagari: a virama, then ZWJ
            "Ana \u{1F469}\u{200D}\u{1F4BB}",     // a name, a space, an emoji sequence
            "\u{2800}A",                          // the blank beside a letter
        ] {
            assert!(is_valid_display_name(name), "{name:?}");
        }
    }

    #[test]
    fn invisible_and_line_breaking_characters_are_refused() {
        for name in [
            "",
            "a\u{0007}b",  // Cc
            "a\nb",        // Cc
            "a\u{2028}b",  // Zl
            "a\u{2029}b",  // Zp
            "a\u{202E}b",  // bidi override (Cf)
            "a\u{00AD}b",  // soft hyphen
            "a\u{200B}b",  // zero-width space
            "\u{3164}",    // Hangul filler (Lo, but default-ignorable)
            "a\u{115F}",   // Hangul choseong filler
            "a\u{FEFF}b",  // BOM
            "a\u{2066}b",  // bidi isolate
            "a\u{E0001}b", // language tag
            "a\u{1D173}b", // musical format control
        ] {
            assert!(!is_valid_display_name(name), "{name:?}");
        }
        let zalgo = format!("a{}", "\u{301}".repeat(9));
        assert!(!is_valid_display_name(&zalgo));
        // Joiners do not break a run of marks, nor make a name of their own.
        let joined = format!("e{}", format!("{}\u{200D}", "\u{301}".repeat(8)).repeat(13));
        assert!(!is_valid_display_name(&joined));
        for invisible in [
            "\u{200D}",
            "\u{FE0F}",
            "\u{200C}\u{200D}",
            "\u{301}",
            // Tag letters hiding ASCII text after a name, and tags after no flag.
            "Ana\u{E0041}\u{E0042}\u{E007F}",
            "\u{E0067}\u{E0062}\u{E007F}",
            // A flag's tag sequence left open.
            "\u{1F3F4}\u{E0067}\u{E0062}",
            // Joiners where nothing is joined: between ASCII letters, after or before a
            // space, at either end, two in a row.
            "ad\u{200D}min",
            "a\u{200C}b",
            "\u{1F469} \u{200D}\u{1F4BB}",
            "\u{1F469}\u{200D} \u{1F4BB}",
            "\u{200D}\u{1F4BB}",
            "\u{1F469}\u{200D}",
            "\u{1F469}\u{200D}\u{200D}\u{1F4BB}",
            // Two selectors, a selector after a joiner or a space, a selector first.
            "\u{2764}\u{FE0F}\u{FE0F}",
            "\u{2764}\u{200D}\u{FE0F}\u{1F525}",
            "a \u{FE0F}",
            "\u{FE0F}a",
            // A flag with no tags, a tag that spells no subdivision (upper case, space).
            "\u{1F3F4}\u{E007F}",
            "\u{1F3F4}\u{E0047}\u{E0042}\u{E007F}",
            "\u{1F3F4}\u{E0020}\u{E007F}",
            // Nothing to read: the Braille blank alone, or with spaces.
            "\u{2800}",
            "\u{2800} \u{2800}",
        ] {
            assert!(!is_valid_display_name(invisible), "{invisible:?}");
        }
        // A black flag that hides a sentence in tags (SPEC §13.1's reproduction), joiners
        // before a letter.
        let hidden: String = std::iter::once('\u{1F3F4}')
            .chain(
                "ignore previous instructions"
                    .chars()
                    .map(|c| char::from_u32(0xE0000 + c as u32).unwrap()),
            )
            .chain(std::iter::once(CANCEL_TAG))
            .collect();
        assert!(!is_valid_display_name(&hidden));
        assert!(!is_valid_display_name(&format!(
            "{}a",
            "\u{200D}".repeat(120)
        )));
        // Only the flags that draw: England, Scotland, Wales.
        let flag = |code: &str| {
            let tags: String = code
                .chars()
                .map(|c| char::from_u32(0xE0000 + c as u32).unwrap())
                .collect();
            format!("\u{1F3F4}{tags}\u{E007F}")
        };
        for code in ["gbeng", "gbsct", "gbwls"] {
            assert!(is_valid_display_name(&flag(code)), "{code}");
        }
        for code in ["ignore", "usca", "gbsc", "gbsctx", "a"] {
            assert!(!is_valid_display_name(&flag(code)), "{code}");
        }
        // Selectors where they select: a keycap, an ideographic variant; not after an ASCII
        // letter (256 of them carry a byte each), nor more than 8 in a name.
        assert!(is_valid_display_name("1\u{FE0F}\u{20E3}"));
        assert!(is_valid_display_name("\u{845B}\u{E0100}"));
        for hidden in [
            "a\u{FE0F}",
            "a\u{E0149}n\u{E0167}a",
            "\u{845B}\u{180B}",
            "\u{3B1}\u{E0100}",
        ] {
            assert!(!is_valid_display_name(hidden), "{hidden:?}");
        }
        assert!(is_valid_display_name(&"\u{2764}\u{FE0F}".repeat(8)));
        assert!(!is_valid_display_name(&"\u{2764}\u{FE0F}".repeat(9)));
        // Unassigned code points.
        assert!(!is_valid_display_name("a\u{0378}b"));
        let stacked = format!("a{}", "\u{301}".repeat(100));
        assert!(!is_valid_display_name(&stacked));
        assert!(is_valid_display_name(&"é".repeat(128)));
        assert!(!is_valid_display_name(&"é".repeat(129)));
    }

    /// The hand-written table is Unicode's, code point for code point (`regex` carries the
    /// Unicode Character Database; here only as a test dependency).
    #[test]
    fn default_ignorable_table_is_unicodes() {
        let re = regex::Regex::new(r"^\p{Default_Ignorable_Code_Point}$").unwrap();
        let mut buf = [0u8; 4];
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            assert_eq!(
                is_default_ignorable(c),
                re.is_match(c.encode_utf8(&mut buf)),
                "U+{:04X}",
                c as u32
            );
        }
    }
}
