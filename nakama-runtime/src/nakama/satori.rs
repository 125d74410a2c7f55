//! Satori, Heroic Labs' LiveOps server, through the host's client of it
//! (Nakama's `nk.GetSatori()`): [`Nakama::satori`].

use std::collections::HashMap;

use nakama_runtime_abi::nk;

use super::Nakama;
use crate::Error;

fn strings<S: AsRef<str>>(list: &[S]) -> Vec<String> {
    list.iter().map(|s| s.as_ref().to_string()).collect()
}

impl Nakama {
    /// Nakama's Satori client (`nk.GetSatori()`): identities, properties,
    /// events, experiments, flags, live events and the message inbox of
    /// the Satori server named by Nakama's `satori.url`, `api_key_name`,
    /// `api_key` and `signing_key` settings.
    ///
    /// The dev host has a client of the same requests, with the same
    /// settings. Without them every function answers
    /// `FAILED_PRECONDITION` "satori configuration is invalid".
    /// Satori's own refusals come back in Nakama's words (`404 status
    /// code: <Satori's body>`) with the gRPC code of the HTTP status
    /// (`NOT_FOUND` here; 400 `INVALID_ARGUMENT`, 401 `UNAUTHENTICATED`,
    /// 403 `PERMISSION_DENIED`, 429 `RESOURCE_EXHAUSTED`, 502 and 503
    /// `UNAVAILABLE`, others `INTERNAL`), the arguments Nakama checks
    /// before asking Satori as `INVALID_ARGUMENT`. With `satori.retry_count`
    /// set, a request refused 408, 429, 502, 503 or 504 is tried again,
    /// then `UNAVAILABLE` `retries exhausted: <the last refusal>`.
    pub fn satori(&self) -> Satori<'_> {
        Satori { nk: self }
    }
}

/// Nakama's Satori client; see [`Nakama::satori`]. `id` is always the
/// Satori identity (usually the Nakama user id).
pub struct Satori<'a> {
    nk: &'a Nakama,
}

impl Satori<'_> {
    /// Creates or finds identity `id` (`Authenticate`) and answers its
    /// properties. `None` properties are left as they are in Satori;
    /// `no_session` skips Satori's session tracking; `ip_address` (empty:
    /// the call's client address) is passed on for Satori's geo lookup.
    pub async fn authenticate(
        &self,
        id: &str,
        default_properties: Option<HashMap<String, String>>,
        custom_properties: Option<HashMap<String, String>>,
        no_session: bool,
        ip_address: &str,
    ) -> Result<nk::SatoriProperties, Error> {
        self.nk
            .call::<nk::SatoriAuthenticate>(&nk::SatoriAuthenticateArgs {
                id: id.to_string(),
                default_properties,
                custom_properties,
                no_session,
                ip_address: ip_address.to_string(),
            })
            .await
    }

    /// Deletes identity `id` and everything Satori keeps about it
    /// (`IdentityDelete`).
    pub async fn identity_delete(&self, id: &str) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriIdentityDelete>(&nk::SatoriIdArgs { id: id.to_string() })
            .await
    }

    /// Identity `id`'s properties (`PropertiesGet`).
    pub async fn properties_get(&self, id: &str) -> Result<nk::SatoriProperties, Error> {
        self.nk
            .call::<nk::SatoriPropertiesGet>(&nk::SatoriIdArgs { id: id.to_string() })
            .await
    }

    /// Changes identity `id`'s properties (`PropertiesUpdate`).
    pub async fn properties_update(
        &self,
        id: &str,
        properties: nk::SatoriPropertyChanges,
    ) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriPropertiesUpdate>(&nk::SatoriPropertiesUpdateArgs {
                id: id.to_string(),
                properties,
            })
            .await
    }

    /// Publishes identity `id`'s analytics events (`EventsPublish`); an
    /// event's `timestamp` 0 is now.
    pub async fn events_publish(
        &self,
        id: &str,
        events: Vec<nk::SatoriEvent>,
        ip_address: &str,
    ) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriEventsPublish>(&nk::SatoriEventsPublishArgs {
                id: id.to_string(),
                events,
                ip_address: ip_address.to_string(),
            })
            .await
    }

    /// Publishes the server's events, each naming its identity in
    /// `identity_id` (`ServerEventsPublish`).
    pub async fn server_events_publish(
        &self,
        events: Vec<nk::SatoriEvent>,
        ip_address: &str,
    ) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriServerEventsPublish>(&nk::SatoriEventsPublishArgs {
                id: String::new(),
                events,
                ip_address: ip_address.to_string(),
            })
            .await
    }

    /// The experiments identity `id` is in (`ExperimentsList`), those of
    /// `names` or `labels` (both empty: all).
    pub async fn experiments_list<S: AsRef<str>>(
        &self,
        id: &str,
        names: &[S],
        labels: &[S],
    ) -> Result<Vec<nk::SatoriExperiment>, Error> {
        let list = self
            .nk
            .call::<nk::SatoriExperimentsList>(&list_args(id, names, labels))
            .await?;
        Ok(list.experiments)
    }

    /// Flags' values for identity `id` (`FlagsList`), those of `names` or
    /// `labels` (both empty: all).
    pub async fn flags_list<S: AsRef<str>>(
        &self,
        id: &str,
        names: &[S],
        labels: &[S],
    ) -> Result<Vec<nk::SatoriFlag>, Error> {
        let list = self
            .nk
            .call::<nk::SatoriFlagsList>(&list_args(id, names, labels))
            .await?;
        Ok(list.flags)
    }

    /// Flags and everything that overrides them for identity `id`
    /// (`FlagsOverridesList`), those of `names` or `labels`.
    pub async fn flags_overrides_list<S: AsRef<str>>(
        &self,
        id: &str,
        names: &[S],
        labels: &[S],
    ) -> Result<Vec<nk::SatoriFlagOverrides>, Error> {
        let list = self
            .nk
            .call::<nk::SatoriFlagsOverridesList>(&list_args(id, names, labels))
            .await?;
        Ok(list.flags)
    }

    /// The live events identity `id` sees (`LiveEventsList`): see
    /// [`nk::SatoriLiveEventsListArgs`] for the run counts and the window.
    ///
    /// Refusals (`INVALID_ARGUMENT`), checked by Nakama: "pastRunCount
    /// cannot be negative", "futureRunCount cannot be negative",
    /// "startTimeSec cannot be negative", "endTimeSec cannot be negative",
    /// "startTimeSec cannot be after endTimeSec", "start_time_sec and
    /// end_time_sec must be greater than 0" (one of them 0).
    pub async fn live_events_list(
        &self,
        args: nk::SatoriLiveEventsListArgs,
    ) -> Result<nk::SatoriLiveEventList, Error> {
        self.nk.call::<nk::SatoriLiveEventsList>(&args).await
    }

    /// Identity `id` joins live event `live_event_id` (`LiveEventJoin`).
    /// Refusal (`INVALID_ARGUMENT`): "liveEventId cannot be empty".
    pub async fn live_event_join(&self, id: &str, live_event_id: &str) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriLiveEventJoin>(&nk::SatoriLiveEventJoinArgs {
                id: id.to_string(),
                live_event_id: live_event_id.to_string(),
            })
            .await
    }

    /// A page of identity `id`'s inbox (`MessagesList`): `limit` (1 or
    /// more) messages from `cursor`, only `message_ids` if not empty.
    /// Refusal (`INVALID_ARGUMENT`): "limit must be greater than zero".
    pub async fn messages_list<S: AsRef<str>>(
        &self,
        id: &str,
        limit: i32,
        forward: bool,
        cursor: &str,
        message_ids: &[S],
    ) -> Result<nk::SatoriMessageList, Error> {
        self.nk
            .call::<nk::SatoriMessagesList>(&nk::SatoriMessagesListArgs {
                id: id.to_string(),
                limit,
                forward,
                cursor: cursor.to_string(),
                message_ids: strings(message_ids),
            })
            .await
    }

    /// Marks message `message_id` of identity `id` read and/or consumed
    /// at those times, seconds since the epoch (`MessageUpdate`).
    pub async fn message_update(
        &self,
        id: &str,
        message_id: &str,
        read_time: i64,
        consume_time: i64,
    ) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriMessageUpdate>(&nk::SatoriMessageUpdateArgs {
                id: id.to_string(),
                message_id: message_id.to_string(),
                read_time,
                consume_time,
            })
            .await
    }

    /// Deletes message `message_id` of identity `id` (`MessageDelete`).
    /// Refusal (`INVALID_ARGUMENT`): "message id cannot be an empty
    /// string".
    pub async fn message_delete(&self, id: &str, message_id: &str) -> Result<(), Error> {
        self.nk
            .call::<nk::SatoriMessageDelete>(&nk::SatoriMessageDeleteArgs {
                id: id.to_string(),
                message_id: message_id.to_string(),
            })
            .await
    }

    /// Sends a message to the Satori identities `message.recipient_ids`
    /// through Satori's integrations (push, email, webhooks), made from
    /// its template or from `template_override`, and answers each
    /// recipient's deliveries (`ConsoleDirectMessageSend`, Satori's
    /// console API). Needs the host's `satori.server_key` setting as
    /// well; without it, `FAILED_PRECONDITION` "satori configuration is
    /// invalid".
    pub async fn console_direct_message_send(
        &self,
        message: nk::SatoriDirectMessageArgs,
    ) -> Result<nk::SatoriMessageSendResults, Error> {
        self.nk
            .call::<nk::SatoriConsoleDirectMessageSend>(&message)
            .await
    }
}

fn list_args<S: AsRef<str>>(id: &str, names: &[S], labels: &[S]) -> nk::SatoriListArgs {
    nk::SatoriListArgs {
        id: id.to_string(),
        names: strings(names),
        labels: strings(labels),
    }
}
