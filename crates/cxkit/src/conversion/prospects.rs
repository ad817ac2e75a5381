//! One prospect: read, change, transfer, delete, its additional data, satisfaction ratings,
//! interactions, and contact selections.

use super::Client;
use crate::error::{Api, Error};
use crate::pagination::{key_hash, numbered, KeyOf, Paging, RowStream};
use conversion_api::types::{
    self, Csat, Interaction, NewEvent, Prospect, ProspectAdditionalField, Transfer, UpdateEvent,
    UpdateProspect,
};
use futures::stream::{self, StreamExt};
use serde_json::{Map, Value};

// One method per operation: the request chains repeat their shape because the operations
// take the same kinds of parameters (ids, a body), not the same ones; `call` sends them all.
impl Client {
    /// One prospect by id (`404` for an unknown id).
    pub async fn prospect(&self, id: &str) -> Result<Prospect, Error> {
        self.call(
            "get_prospect",
            self.raw.get_prospect().prospect_id(id).send(),
        )
        .await
    }

    /// Changes a prospect's name, adds a phone or e-mail, sets a label or archives it (an
    /// `archivingReason`). Not retried automatically.
    pub async fn update_prospect(
        &self,
        id: &str,
        change: UpdateProspect,
    ) -> Result<Prospect, Error> {
        let sent = self
            .raw
            .update_prospect()
            .prospect_id(id)
            .body(change)
            .send();
        self.call("update_prospect", sent).await
    }

    /// Removes an invalid prospect; answers the removed prospect.
    pub async fn delete_prospect(&self, id: &str) -> Result<Prospect, Error> {
        self.call(
            "delete_prospect",
            self.raw.delete_prospect().prospect_id(id).send(),
        )
        .await
    }

    /// Routes a prospect to a group and/or user. The vendor answers a free-form object.
    pub async fn transfer_prospect(
        &self,
        id: &str,
        to: Transfer,
    ) -> Result<Map<String, Value>, Error> {
        let sent = self.raw.transfer_prospect().prospect_id(id).body(to).send();
        self.call("transfer_prospect", sent).await
    }

    /// Sets additional-data fields (keys from [`additional_fields`](Self::additional_fields)).
    pub async fn update_additional_data(
        &self,
        id: &str,
        fields: Map<String, Value>,
    ) -> Result<Prospect, Error> {
        let body = types::UpdateAdditionalData::from(types::OpenMap::from(fields));
        let sent = self
            .raw
            .update_prospect_additional_data()
            .prospect_id(id)
            .body(body)
            .send();
        self.call("update_prospect_additional_data", sent).await
    }

    /// The additional-data fields a prospect can carry.
    pub async fn additional_fields(&self, id: &str) -> Result<Vec<ProspectAdditionalField>, Error> {
        let sent = self
            .raw
            .list_prospect_additional_fields()
            .prospect_id(id)
            .send();
        self.call("list_prospect_additional_fields", sent).await
    }

    /// Records a satisfaction rating (1–5, higher is better).
    pub async fn rate_prospect(&self, id: &str, rating: Csat) -> Result<Map<String, Value>, Error> {
        let sent = self.raw.create_csat().prospect_id(id).body(rating).send();
        self.call("create_csat", sent).await
    }

    /// One interaction of a prospect.
    pub async fn interaction(&self, prospect: &str, id: &str) -> Result<Interaction, Error> {
        let sent = self
            .raw
            .get_prospect_interaction()
            .prospect_id(prospect)
            .interaction_id(id)
            .send();
        self.call("get_prospect_interaction", sent).await
    }

    /// Registers a note, message, call or question on a prospect's timeline. Not retried.
    pub async fn add_interaction(
        &self,
        prospect: &str,
        event: NewEvent,
    ) -> Result<Vec<Interaction>, Error> {
        let sent = self
            .raw
            .create_prospect_interaction()
            .prospect_id(prospect)
            .body(event)
            .send();
        self.call("create_prospect_interaction", sent).await
    }

    /// Updates an interaction through an event: a message's delivery status, a question's
    /// answer.
    pub async fn update_interaction(
        &self,
        prospect: &str,
        id: &str,
        update: UpdateEvent,
    ) -> Result<Interaction, Error> {
        let sent = self
            .raw
            .update_prospect_interaction()
            .prospect_id(prospect)
            .interaction_id(id)
            .body(update)
            .send();
        self.call("update_prospect_interaction", sent).await
    }

    /// Every contact of a contact selection, `page_size` at a time (offset paging). `fields`
    /// asks for more than the fields always returned.
    pub fn contacts_selection(
        &self,
        selection: &str,
        fields: Vec<String>,
        page_size: u64,
    ) -> RowStream<Prospect> {
        let (client, selection) = (self.clone(), selection.to_owned());
        let paging = Paging {
            page_size: page_size.max(1),
            prefetch: false,
            concurrency: 1,
        };
        let key: KeyOf<Prospect> = |p| Some(key_hash(&p.id));
        numbered(
            (Api::Conversion, "get_contacts_selection"),
            paging,
            1,
            key,
            move |page| {
                let (client, selection, fields) =
                    (client.clone(), selection.clone(), fields.clone());
                async move {
                    let mut request = client
                        .raw
                        .get_contacts_selection()
                        .selection_id(selection.as_str())
                        .offset((page - 1) * paging.page_size)
                        .limit(paging.page_size);
                    if !fields.is_empty() {
                        request = request.fields(fields);
                    }
                    let found = client
                        .call("get_contacts_selection", request.send())
                        .await?;
                    let rows = found.contacts.unwrap_or_default();
                    Ok(stream::iter(rows.into_iter().map(Ok)).boxed())
                }
            },
        )
    }
}
