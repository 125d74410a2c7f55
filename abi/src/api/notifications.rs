//! In-app notifications.

use serde::{Deserialize, Serialize};

use super::serde_helpers::{is_false, is_zero};

/// A notification sent to a user.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Notification {
    /// Notification id.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Subject line.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub subject: String,
    /// Content (JSON object in a string).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub content: String,
    /// Type code; negative codes are reserved for Nakama.
    #[serde(skip_serializing_if = "is_zero")]
    pub code: i32,
    /// Sender id (empty for the system).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub sender_id: String,
    /// When it was created (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// Whether it is stored for later listing.
    #[serde(skip_serializing_if = "is_false")]
    pub persistent: bool,
}

/// One page of notifications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NotificationList {
    /// The notifications on this page.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
    /// Cursor to fetch newer notifications later.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cacheable_cursor: String,
}

/// List the caller's notifications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ListNotificationsRequest {
    /// Page size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    /// Cursor from a previous `NotificationList`.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub cacheable_cursor: String,
}

/// Delete notifications by id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DeleteNotificationsRequest {
    /// Notification ids.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
}
