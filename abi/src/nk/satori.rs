//! The arguments and answers of the Satori nk functions: Nakama's client
//! of Heroic Labs' LiveOps server (`nk.GetSatori()`: `Authenticate`,
//! `IdentityDelete`, `PropertiesGet`, `PropertiesUpdate`, `EventsPublish`,
//! `ServerEventsPublish`, `ExperimentsList`, `FlagsList`,
//! `FlagsOverridesList`, `LiveEventsList`, `LiveEventJoin`,
//! `MessagesList`, `MessageUpdate`, `MessageDelete`,
//! `ConsoleDirectMessageSend`).
//!
//! Field names are those of nakama-common's `runtime` types. The answers
//! read Satori's JSON as Nakama hands it over: empty fields may be left
//! out, and the times Satori sends as strings (`"1700000000"`) read as
//! numbers.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::null_as_empty;
use crate::api::serde_helpers::int64_str;

/// An identity's properties (`runtime.Properties`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriProperties {
    pub default: HashMap<String, String>,
    pub custom: HashMap<String, String>,
    /// Computed by Satori; read only.
    pub computed: HashMap<String, String>,
}

/// A change of an identity's properties (`runtime.PropertiesUpdate`):
/// `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriPropertyChanges {
    pub default: Option<HashMap<String, String>>,
    pub custom: Option<HashMap<String, String>>,
    /// Recompute the identity's computed properties.
    pub recompute: Option<bool>,
}

/// One analytics event (`runtime.Event`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriEvent {
    pub name: String,
    pub id: String,
    pub metadata: HashMap<String, String>,
    pub value: String,
    /// Server events only: whose event it is.
    pub identity_id: String,
    pub session_id: String,
    pub session_issued_at: i64,
    pub session_expires_at: i64,
    /// When it happened, seconds since the epoch (0: now).
    pub timestamp: i64,
}

/// One experiment the identity is in (`runtime.Experiment`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriExperiment {
    pub name: String,
    pub value: String,
    pub labels: Vec<String>,
    pub flag_names: Vec<String>,
}

/// Why a flag has the value it has (`runtime.Flag`'s `change_reason`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlagChangeReason {
    /// 0 unknown, 1 a flag variant, 2 a live event, 3 an experiment.
    #[serde(rename = "type")]
    pub kind: i32,
    pub name: String,
    pub variant_name: String,
}

/// One flag's value for the identity (`runtime.Flag`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlag {
    pub name: String,
    pub value: String,
    pub labels: Vec<String>,
    pub condition_changed: bool,
    pub change_reason: Option<SatoriFlagChangeReason>,
}

/// One configuration that affects a flag (`runtime.FlagOverride`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlagOverride {
    /// 0 flag, 1 flag variant, 2 live event flag, 3 live event flag
    /// variant, 4 experiment phase variant flag.
    #[serde(rename = "type")]
    pub kind: i32,
    pub name: String,
    pub variant_name: String,
    pub value: String,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub create_time_sec: i64,
}

/// A flag and everything that overrides it (`runtime.FlagOverrides`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlagOverrides {
    pub flag_name: String,
    pub labels: Vec<String>,
    pub overrides: Vec<SatoriFlagOverride>,
}

/// One live event (`runtime.LiveEvent`); times in seconds since the epoch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriLiveEvent {
    pub name: String,
    pub description: String,
    pub value: String,
    pub labels: Vec<String>,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub active_start_time_sec: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub active_end_time_sec: i64,
    pub id: String,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub start_time_sec: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub end_time_sec: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub duration_sec: i64,
    /// `reset_cron` on the wire.
    #[serde(rename = "reset_cron")]
    pub reset_cron_expr: String,
    /// 0 unknown, 1 active, 2 upcoming, 3 terminated.
    pub status: i32,
    pub flag_names: Vec<String>,
}

/// What `satori_live_events_list` answers (`runtime.LiveEventList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriLiveEventList {
    pub live_events: Vec<SatoriLiveEvent>,
    /// Events the identity must join (`satori_live_event_join`) to take
    /// part in (Nakama sends `null` for none).
    #[serde(deserialize_with = "null_as_empty")]
    pub explicit_join_live_events: Vec<SatoriLiveEvent>,
}

/// One message of the identity's inbox (`runtime.Message`); times in
/// seconds since the epoch.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessage {
    pub schedule_id: String,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub send_time: i64,
    pub metadata: serde_json::Map<String, serde_json::Value>,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub create_time: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub update_time: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub read_time: i64,
    #[serde(deserialize_with = "int64_str::deserialize")]
    pub consume_time: i64,
    pub text: String,
    pub id: String,
    pub title: String,
    pub image_url: String,
}

/// What `satori_messages_list` answers (`runtime.MessageList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessageList {
    pub messages: Vec<SatoriMessage>,
    pub next_cursor: String,
    pub prev_cursor: String,
    pub cacheable_cursor: String,
}

/// Arguments of `satori_authenticate`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriAuthenticateArgs {
    pub id: String,
    /// `None` leaves them as they are in Satori.
    pub default_properties: Option<HashMap<String, String>>,
    pub custom_properties: Option<HashMap<String, String>>,
    /// Skip Satori's session tracking.
    pub no_session: bool,
    /// The client's IP address for Satori's geo lookup (empty: the
    /// call's client address).
    pub ip_address: String,
}

/// Arguments of `satori_identity_delete` and `satori_properties_get`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriIdArgs {
    pub id: String,
}

/// Arguments of `satori_properties_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriPropertiesUpdateArgs {
    pub id: String,
    pub properties: SatoriPropertyChanges,
}

/// Arguments of `satori_events_publish` (`id` set) and
/// `satori_server_events_publish` (`id` ignored).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriEventsPublishArgs {
    pub id: String,
    pub events: Vec<SatoriEvent>,
    /// As in [`SatoriAuthenticateArgs::ip_address`].
    pub ip_address: String,
}

/// Arguments of `satori_experiments_list`, `satori_flags_list` and
/// `satori_flags_overrides_list`: empty `names` and `labels` ask for all.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriListArgs {
    pub id: String,
    pub names: Vec<String>,
    pub labels: Vec<String>,
}

/// What `satori_experiments_list` answers (`runtime.ExperimentList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriExperimentList {
    pub experiments: Vec<SatoriExperiment>,
}

/// What `satori_flags_list` answers (`runtime.FlagList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlagList {
    pub flags: Vec<SatoriFlag>,
}

/// What `satori_flags_overrides_list` answers (`runtime.FlagOverridesList`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriFlagOverridesList {
    pub flags: Vec<SatoriFlagOverrides>,
}

/// Arguments of `satori_live_events_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriLiveEventsListArgs {
    pub id: String,
    pub names: Vec<String>,
    pub labels: Vec<String>,
    /// Past runs of each event to include (0 or more).
    pub past_run_count: i32,
    /// Future runs of each event to include (0 or more).
    pub future_run_count: i32,
    /// A window in seconds since the epoch: both 0 (none) or both above 0.
    pub start_time_sec: i64,
    pub end_time_sec: i64,
}

/// Arguments of `satori_live_event_join`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriLiveEventJoinArgs {
    pub id: String,
    pub live_event_id: String,
}

/// Arguments of `satori_messages_list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessagesListArgs {
    pub id: String,
    /// 1 or more.
    pub limit: i32,
    pub forward: bool,
    pub cursor: String,
    /// Only these messages (empty: any).
    pub message_ids: Vec<String>,
}

/// Arguments of `satori_message_update`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessageUpdateArgs {
    pub id: String,
    pub message_id: String,
    /// Seconds since the epoch (0: unchanged).
    pub read_time: i64,
    pub consume_time: i64,
}

/// Arguments of `satori_message_delete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessageDeleteArgs {
    pub id: String,
    pub message_id: String,
}

/// Where Satori sends a direct message (`runtime.SatoriMessageIntegration`;
/// its number on the wire, as Nakama's JSON has it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "i32", into = "i32")]
pub enum SatoriIntegration {
    /// Satori's default (0; also any number this crate does not know).
    #[default]
    Unknown = 0,
    /// Google's Firebase Cloud Messaging (1).
    Fcm = 1,
    /// Apple's push notifications (2).
    Apns = 2,
    /// Facebook app-to-user notifications (3).
    FacebookNotification = 3,
    /// OneSignal notifications (4).
    OneSignalNotification = 4,
    /// A webhook (5).
    WebhookNotification = 5,
}

impl From<i32> for SatoriIntegration {
    fn from(n: i32) -> Self {
        match n {
            1 => Self::Fcm,
            2 => Self::Apns,
            3 => Self::FacebookNotification,
            4 => Self::OneSignalNotification,
            5 => Self::WebhookNotification,
            _ => Self::Unknown,
        }
    }
}

impl From<SatoriIntegration> for i32 {
    fn from(i: SatoriIntegration) -> i32 {
        i as i32
    }
}

/// A channel of an integration (`runtime.SatoriMessageIntegrationChannel`;
/// its number on the wire).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(from = "i32", into = "i32")]
pub enum SatoriChannel {
    /// The integration's default (0; also any number this crate does not
    /// know).
    #[default]
    Default = 0,
    /// Push notification (1).
    Push = 1,
    /// Email (2).
    Email = 2,
}

impl From<i32> for SatoriChannel {
    fn from(n: i32) -> Self {
        match n {
            1 => Self::Push,
            2 => Self::Email,
            _ => Self::Default,
        }
    }
}

impl From<SatoriChannel> for i32 {
    fn from(c: SatoriChannel) -> i32 {
        c as i32
    }
}

/// The channels to use for one integration
/// (`runtime.SatoriMessageIntegrationChannels`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriIntegrationChannels {
    pub channels: Vec<SatoriChannel>,
}

/// A message's content given in place of its template's
/// (`runtime.SatoriMessageTemplateOverride`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriTemplateOverride {
    pub title: String,
    /// The message's text.
    pub value: String,
    pub image_url: String,
    /// JSON-encoded metadata.
    pub json_metadata: String,
    /// Per language, its own override.
    pub variants: HashMap<String, SatoriTemplateOverride>,
}

/// Arguments of `satori_console_direct_message_send`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriDirectMessageArgs {
    /// The template that makes the message's content (ignored with a
    /// `template_override`).
    pub template_id: String,
    /// The Satori identities it goes to.
    pub recipient_ids: Vec<String>,
    /// Through which integrations (empty: Satori's choice).
    pub integrations: Vec<SatoriIntegration>,
    /// Also kept in each recipient's inbox.
    pub persist: bool,
    /// Per integration, the channels to use.
    pub channels: HashMap<SatoriIntegration, SatoriIntegrationChannels>,
    pub template_override: Option<SatoriTemplateOverride>,
}

/// What `satori_console_direct_message_send` answers
/// (`runtime.SatoriMessageSendResults`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessageSendResults {
    #[serde(deserialize_with = "null_as_empty")]
    pub delivery_results: Vec<SatoriMessageSendResult>,
}

/// One recipient's deliveries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriMessageSendResult {
    pub recipient_id: String,
    #[serde(deserialize_with = "null_as_empty")]
    pub integration_results: Vec<SatoriIntegrationResult>,
}

/// One delivery through one integration and channel.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SatoriIntegrationResult {
    pub integration_type: SatoriIntegration,
    pub success: bool,
    pub error_message: String,
    pub channel_type: SatoriChannel,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_read_satoris_json_as_nakama_hands_it_over() {
        // Times as strings, empty fields left out (Go's omitempty).
        let event: SatoriLiveEvent = serde_json::from_str(
            r#"{"name":"spring","start_time_sec":"1700000000","end_time_sec":1700003600,"status":1,"reset_cron":"0 0 * * *"}"#,
        )
        .unwrap();
        assert_eq!(event.start_time_sec, 1_700_000_000);
        assert_eq!(event.end_time_sec, 1_700_003_600);
        assert_eq!(event.reset_cron_expr, "0 0 * * *");
        assert!(event.labels.is_empty());
        let list: SatoriLiveEventList =
            serde_json::from_str(r#"{"explicit_join_live_events":null}"#).unwrap();
        assert!(list.live_events.is_empty());
        let flag: SatoriFlag = serde_json::from_str(
            r#"{"name":"f","value":"v","change_reason":{"type":2,"name":"spring"}}"#,
        )
        .unwrap();
        assert_eq!(flag.change_reason.unwrap().kind, 2);
    }

    #[test]
    fn direct_messages_cross_with_nakamas_numbers() {
        let args = SatoriDirectMessageArgs {
            integrations: vec![
                SatoriIntegration::Fcm,
                SatoriIntegration::WebhookNotification,
            ],
            channels: [(
                SatoriIntegration::Apns,
                SatoriIntegrationChannels {
                    channels: vec![SatoriChannel::Push, SatoriChannel::Email],
                },
            )]
            .into(),
            ..Default::default()
        };
        let wire = serde_json::to_value(&args).unwrap();
        assert_eq!(wire["integrations"], serde_json::json!([1, 5]));
        // Go's encoding/json writes an int-keyed map with string keys.
        assert_eq!(
            wire["channels"],
            serde_json::json!({"2": {"channels": [1, 2]}})
        );
        assert_eq!(
            serde_json::from_value::<SatoriDirectMessageArgs>(wire).unwrap(),
            args
        );
        // A number this crate does not know reads as the default.
        let r: SatoriMessageSendResults = serde_json::from_str(
            r#"{"delivery_results":[{"recipient_id":"p","integration_results":[{"integration_type":9,"success":true,"channel_type":1}]}]}"#,
        )
        .unwrap();
        let delivery = &r.delivery_results[0].integration_results[0];
        assert_eq!(delivery.integration_type, SatoriIntegration::Unknown);
        assert_eq!(delivery.channel_type, SatoriChannel::Push);
    }
}
