//! `v1` (the default): the project's own user events (SPEC §5, §6), parsed by [`payload`].

use super::{FormatSpec, Input};
use crate::payload::{self, PayloadError};
use crate::plan::Plan;

pub(super) const FORMAT: FormatSpec = FormatSpec {
    name: "v1",
    scheme: None,
    keeps_pings: false,
    plan,
};

fn plan(input: &Input<'_>) -> Result<Plan, PayloadError> {
    let event = payload::parse(input.body, input.latest_event_time())?;
    Ok(input.user_write(event))
}
