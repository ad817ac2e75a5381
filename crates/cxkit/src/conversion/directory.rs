//! The account's directory (agents, groups, industries, lead categories and defaults), the
//! integration behind the key, webhook topics and subscriptions, and custom-app calls.

use super::Client;
use crate::error::Error;
use conversion_api::types::{
    Agent, ArchivingReason, Category, CustomEvent, Defaults, DeleteSubscriptionsResult, GroupNode,
    Industry, Integration, NotificationData, OnlineAgents, Subscription, Topic,
};
use cxkit_runtime::Secret;
use serde_json::{Map, Value};

// One method per operation: the request chains repeat their shape because the operations
// take the same kinds of parameters (ids, a body), not the same ones; `call` sends them all.
impl Client {
    /// The agents of a group, optionally only those with status `active`.
    pub async fn agents(&self, group: &str, active: Option<&str>) -> Result<Vec<Agent>, Error> {
        let mut request = self.raw.list_agents().group(group);
        if let Some(active) = active {
            request = request.active(active);
        }
        self.call("list_agents", request.send()).await
    }

    /// An agent's response time (free-form: the vendor publishes no shape).
    pub async fn agent_response_time(&self, agent: &str) -> Result<Map<String, Value>, Error> {
        let sent = self.raw.get_agent_response_time().agent_id(agent).send();
        self.call("get_agent_response_time", sent).await
    }

    /// Whether an agent is working now (free-form answer).
    pub async fn agent_is_working(&self, agent: &str) -> Result<Map<String, Value>, Error> {
        self.call(
            "is_agent_working",
            self.raw.is_agent_working().agent_id(agent).send(),
        )
        .await
    }

    /// The account's groups.
    pub async fn groups(&self) -> Result<Vec<GroupNode>, Error> {
        self.call("list_groups", self.raw.list_groups().send())
            .await
    }

    /// One group.
    pub async fn group(&self, id: &str) -> Result<GroupNode, Error> {
        self.call("get_group", self.raw.get_group().group_id(id).send())
            .await
    }

    /// The agents of a group online now, and whether it is within office hours.
    pub async fn online_agents(&self, group: &str) -> Result<OnlineAgents, Error> {
        let sent = self.raw.get_online_agents().group_id(group).send();
        self.call("get_online_agents", sent).await
    }

    /// A group's response time (free-form answer).
    pub async fn group_response_time(&self, group: &str) -> Result<Map<String, Value>, Error> {
        let sent = self.raw.get_group_response_time().group_id(group).send();
        self.call("get_group_response_time", sent).await
    }

    /// Whether at least one agent of a group is working now (free-form answer).
    pub async fn group_is_working(&self, group: &str) -> Result<Map<String, Value>, Error> {
        self.call(
            "is_group_working",
            self.raw.is_group_working().group_id(group).send(),
        )
        .await
    }

    /// The group's industries.
    pub async fn industries(&self) -> Result<Vec<Industry>, Error> {
        self.call("list_industries", self.raw.list_industries().send())
            .await
    }

    /// The lead categories of the key's group, the default first.
    pub async fn lead_categories(&self) -> Result<Vec<Category>, Error> {
        self.call(
            "list_lead_categories",
            self.raw.list_lead_categories().send(),
        )
        .await
    }

    /// The group's currency and distance unit.
    pub async fn lead_defaults(&self) -> Result<Defaults, Error> {
        self.call("get_lead_defaults", self.raw.get_lead_defaults().send())
            .await
    }

    /// The archiving reasons of an agent, through the vendor's deprecated spelling.
    #[deprecated(note = "deprecated by the vendor: use `archiving_reasons`")]
    pub async fn archiving_reasons_of(&self, agent: &str) -> Result<Vec<ArchivingReason>, Error> {
        let sent = self
            .raw
            .deprecated_list_archiving_reasons()
            .agent(agent)
            .send();
        self.call("deprecated_list_archiving_reasons", sent).await
    }

    /// The integration the key belongs to.
    pub async fn integration(&self) -> Result<Integration, Error> {
        self.call("get_integration", self.raw.get_integration().send())
            .await
    }

    /// The integrations of the key.
    pub async fn integrations(&self) -> Result<Vec<Integration>, Error> {
        self.call("list_integrations", self.raw.list_integrations().send())
            .await
    }

    /// Whether `key` exists and is enabled: `Ok(false)` for a `401`/`403`, an error for
    /// anything else that fails. The client's own key is not sent.
    pub async fn check_credentials(&self, key: &Secret) -> Result<bool, Error> {
        let sent = self.raw.check_credentials().api_key(key.expose()).send();
        match self.call("check_credentials", sent).await {
            Ok(()) => Ok(true),
            Err(e) if matches!(e.status().map(|s| s.as_u16()), Some(401 | 403)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The webhook topics.
    pub async fn topics(&self) -> Result<Vec<Topic>, Error> {
        self.call("list_topics", self.raw.list_topics().send())
            .await
    }

    /// One subscription.
    pub async fn subscription(&self, id: &str) -> Result<Subscription, Error> {
        let sent = self.raw.get_subscription().subscription_id(id).send();
        self.call("get_subscription", sent).await
    }

    /// Deactivates one subscription; answers it.
    pub async fn unsubscribe(&self, id: &str) -> Result<Subscription, Error> {
        let sent = self.raw.delete_subscription().subscription_id(id).send();
        self.call("delete_subscription", sent).await
    }

    /// Deactivates every subscription; answers how many.
    pub async fn unsubscribe_all(&self) -> Result<DeleteSubscriptionsResult, Error> {
        self.call(
            "delete_subscriptions",
            self.raw.delete_subscriptions().send(),
        )
        .await
    }

    /// Sends a custom app's event. Authenticated by `data.apiKey` in the body (masked in
    /// `Debug`), not by the client's key. Not retried.
    pub async fn send_app_event(&self, event: CustomEvent) -> Result<(), Error> {
        self.call(
            "send_app_event",
            self.raw.send_app_event().body(event).send(),
        )
        .await
    }

    /// Posts to a custom app's notification panel. Not retried.
    pub async fn send_app_notification(&self, notification: NotificationData) -> Result<(), Error> {
        let sent = self.raw.send_notification().body(notification).send();
        self.call("send_notification", sent).await
    }
}
