//! Acting as the user configured on the integration (scope `integration:act-as-user`):
//! archive, label and transfer prospects as an agent would in the app.

use super::Client;
use crate::error::Error;
use conversion_api::types::{
    ArchiveProspect, ArchivingReason, GroupUserTransferable, LabelProspect, Prospect,
    ProspectLabel, Transfer,
};
use serde_json::{Map, Value};

impl Client {
    /// Archives a prospect with `reason`, one of [`archiving_reasons`](Self::archiving_reasons).
    pub async fn archive_as_user(&self, prospect: &str, reason: &str) -> Result<Prospect, Error> {
        let body = ArchiveProspect {
            archiving_reason: reason.to_owned(),
            email: None,
            first_name: None,
            label: None,
            last_name: None,
            phone: None,
        };
        let sent = self
            .raw
            .archive_prospect_as_user()
            .prospect_id(prospect)
            .body(body)
            .send();
        self.call("archive_prospect_as_user", sent).await
    }

    /// Labels a prospect with the `key` of one of [`labels`](Self::labels).
    pub async fn label_prospect(&self, prospect: &str, label: &str) -> Result<Prospect, Error> {
        let body = LabelProspect {
            label: label
                .parse()
                .map_err(|e| Error::InvalidInput(format!("label `{label}`: {e}")))?,
        };
        let sent = self
            .raw
            .label_prospect()
            .prospect_id(prospect)
            .body(body)
            .send();
        self.call("label_prospect", sent).await
    }

    /// Transfers a prospect as the acting user (see [`transferable`](Self::transferable)).
    pub async fn transfer_as_user(
        &self,
        prospect: &str,
        to: Transfer,
    ) -> Result<Map<String, Value>, Error> {
        let sent = self
            .raw
            .transfer_prospect_as_user()
            .prospect_id(prospect)
            .body(to)
            .send();
        self.call("transfer_prospect_as_user", sent).await
    }

    /// The archiving reasons available to the acting user.
    pub async fn archiving_reasons(&self) -> Result<Vec<ArchivingReason>, Error> {
        self.call(
            "list_archiving_reasons",
            self.raw.list_archiving_reasons().send(),
        )
        .await
    }

    /// The labels available to the acting user.
    pub async fn labels(&self) -> Result<Vec<ProspectLabel>, Error> {
        self.call(
            "list_prospect_labels",
            self.raw.list_prospect_labels().send(),
        )
        .await
    }

    /// The groups and users the acting user may transfer to.
    pub async fn transferable(&self) -> Result<GroupUserTransferable, Error> {
        self.call("get_transferable", self.raw.get_transferable().send())
            .await
    }
}
