//! Messaging a prospect: channels, conversational messages, files, templates, orders.

use super::Client;
use crate::error::Error;
use crate::wire::wire_text;
use conversion_api::types::{
    Channel, CommunicationChannel, Interaction, NewMessage, NewTemplateMessage, OrderByProspect,
};

// One method per operation: the request chains repeat their shape because the operations
// take the same kinds of parameters (ids, a body), not the same ones; `call` sends them all.
impl Client {
    /// The messaging channels available to the key.
    pub async fn channels(&self) -> Result<Vec<Channel>, Error> {
        self.call("list_channels", self.raw.list_channels().send())
            .await
    }

    /// The channels available for one prospect.
    pub async fn prospect_channels(&self, prospect: &str) -> Result<Vec<Channel>, Error> {
        let sent = self
            .raw
            .list_prospect_channels()
            .prospect_id(prospect)
            .send();
        self.call("list_prospect_channels", sent).await
    }

    /// Sends a conversational message (text, list, buttons or product list). Not retried.
    pub async fn send_message(
        &self,
        prospect: &str,
        channel: &CommunicationChannel,
        message: NewMessage,
    ) -> Result<Vec<Interaction>, Error> {
        let sent = self
            .raw
            .send_message()
            .prospect_id(prospect)
            .channel(wire_text(channel))
            .body(message)
            .send();
        self.call("send_message", sent).await
    }

    /// Sends a file (`multipart/form-data`). Not retried.
    pub async fn send_file(
        &self,
        prospect: &str,
        channel: &CommunicationChannel,
        file_name: &str,
        mime_type: &str,
        content: Vec<u8>,
    ) -> Result<Vec<Interaction>, Error> {
        let part = reqwest::multipart::Part::bytes(content)
            .file_name(file_name.to_owned())
            .mime_str(mime_type)
            .map_err(|_| Error::InvalidInput(format!("`{mime_type}` is not a MIME type")))?;
        let channel = wire_text(channel);
        self.call("send_file", self.raw.send_file(prospect, &channel, part))
            .await
    }

    /// Sends a pre-approved template (see [`Channel::templates`]). Not retried.
    pub async fn send_template(
        &self,
        prospect: &str,
        channel: &CommunicationChannel,
        template: NewTemplateMessage,
    ) -> Result<Vec<Interaction>, Error> {
        let sent = self
            .raw
            .send_template_message()
            .prospect_id(prospect)
            .channel(wire_text(channel))
            .body(template)
            .send();
        self.call("send_template_message", sent).await
    }

    /// A prospect's orders (at most `limit`, a multiple of 100).
    pub async fn orders(
        &self,
        prospect: &str,
        limit: Option<u64>,
    ) -> Result<Vec<OrderByProspect>, Error> {
        let mut request = self.raw.list_prospect_orders().prospect_id(prospect);
        if let Some(limit) = limit {
            request = request.limit(limit);
        }
        self.call("list_prospect_orders", request.send()).await
    }
}
