//! Typed lead builders that refuse, before sending, a lead the vendor cannot use: one
//! without `utmSource`, or without a phone or an e-mail.
//!
//! The builders fill the generated common body ([`types::Lead`](conversion_api::types::Lead),
//! through its generated builder) and turn it into the kind's generated body, so every field
//! name on the wire is the generator's.

use crate::error::Error;
use conversion_api::types::{
    self, InsuranceLead, Nin, NinType, Product, RealEstateLead, RealEstateProduct, RetailLead,
    SavingPlanLead, SavingPlanProduct, VehicleLead, VehicleProduct,
};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A lead ready to send, of one of the five kinds (the generated body types).
#[derive(Clone, Debug, PartialEq)]
pub enum NewLead {
    /// `POST /lead/retail`.
    Retail(RetailLead),
    /// `POST /lead/vehicle`.
    Vehicle(VehicleLead),
    /// `POST /lead/insurance`.
    Insurance(InsuranceLead),
    /// `POST /lead/saving-plan`.
    SavingPlan(SavingPlanLead),
    /// `POST /lead/real-estate`.
    RealEstate(RealEstateLead),
}

impl NewLead {
    /// Refuses a lead with no `utmSource`, or with neither a phone nor an e-mail.
    pub fn validate(&self) -> Result<(), Error> {
        let common = match self {
            NewLead::Retail(l) => common_part(l),
            NewLead::Vehicle(l) => common_part(l),
            NewLead::Insurance(l) => common_part(l),
            NewLead::SavingPlan(l) => common_part(l),
            NewLead::RealEstate(l) => common_part(l),
        }
        .map_err(|e| Error::InvalidInput(format!("lead: {e}")))?;
        validate(&common)
    }
}

/// The common fields of a kind's body (each kind is `Lead` plus a product in the spec).
fn common_part(body: &impl Serialize) -> Result<types::Lead, serde_json::Error> {
    serde_json::to_value(body).and_then(serde_json::from_value)
}

fn no_utm_source() -> Error {
    Error::InvalidInput("a lead needs a `utmSource` (where it came from)".into())
}

fn validate(lead: &types::Lead) -> Result<(), Error> {
    let text = |s: &String| !s.trim().is_empty();
    if !text(&lead.utm_source) {
        return Err(no_utm_source());
    }
    if !lead.phones.iter().any(text) && !lead.emails.iter().any(text) {
        return Err(Error::InvalidInput(
            "a lead needs at least one phone or e-mail to be usable".into(),
        ));
    }
    Ok(())
}

/// Starts a lead of one kind; finish with [`LeadBuilder::build`].
///
/// ```
/// use cxkit::conversion::{Lead, NewLead};
/// let lead = Lead::vehicle("google-ads")
///     .first_name("Bruno")
///     .email("bruno@example.com")
///     .build()
///     .unwrap();
/// assert!(matches!(lead, NewLead::Vehicle(_)));
/// let err = Lead::retail("site").first_name("No Contact").build().unwrap_err();
/// assert!(err.to_string().contains("phone or e-mail"));
/// ```
pub struct Lead;

impl Lead {
    /// A retail lead from `utm_source`.
    pub fn retail(utm_source: impl Into<String>) -> LeadBuilder<Product> {
        LeadBuilder::new(utm_source)
    }
    /// A vehicle lead from `utm_source`.
    pub fn vehicle(utm_source: impl Into<String>) -> LeadBuilder<VehicleProduct> {
        LeadBuilder::new(utm_source)
    }
    /// An insurance lead from `utm_source`.
    pub fn insurance(utm_source: impl Into<String>) -> LeadBuilder<InsuranceProduct> {
        LeadBuilder::new(utm_source)
    }
    /// A saving-plan lead from `utm_source`.
    pub fn saving_plan(utm_source: impl Into<String>) -> LeadBuilder<SavingPlanProduct> {
        LeadBuilder::new(utm_source)
    }
    /// A real-estate lead from `utm_source`.
    pub fn real_estate(utm_source: impl Into<String>) -> LeadBuilder<RealEstateProduct> {
        LeadBuilder::new(utm_source)
    }
}

/// An insurance lead's product (the generic [`Product`]), as its own type so the builder
/// knows the kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(transparent)]
pub struct InsuranceProduct(pub Product);

/// The product type of each lead kind, and how the common body and a product become that
/// kind's [`NewLead`].
pub trait LeadKind: Serialize + Sized {
    #[doc(hidden)]
    fn into_new_lead(
        lead: types::Lead,
        product: Option<Self>,
    ) -> Result<NewLead, serde_json::Error>;
}

/// The kind's generated body: the generated common body with the product beside it.
fn with_product<B: DeserializeOwned, P: Serialize>(
    lead: types::Lead,
    product: Option<P>,
) -> Result<B, serde_json::Error> {
    #[derive(Serialize)]
    struct Body<P> {
        #[serde(flatten)]
        lead: types::Lead,
        #[serde(skip_serializing_if = "Option::is_none")]
        product: Option<P>,
    }
    serde_json::to_value(Body { lead, product }).and_then(serde_json::from_value)
}

/// Each product type makes its own kind of lead (the `NewLead` variant of its operation).
macro_rules! lead_kinds {
    ($($product:ty => $variant:ident),+ $(,)?) => {$(
        impl LeadKind for $product {
            fn into_new_lead(
                lead: types::Lead,
                product: Option<Self>,
            ) -> Result<NewLead, serde_json::Error> {
                with_product(lead, product).map(NewLead::$variant)
            }
        }
    )+};
}

lead_kinds!(
    Product => Retail,
    VehicleProduct => Vehicle,
    InsuranceProduct => Insurance,
    SavingPlanProduct => SavingPlan,
    RealEstateProduct => RealEstate,
);

/// Builds a lead of kind `P` (its product type).
#[derive(Clone, Debug)]
pub struct LeadBuilder<P> {
    utm_source: String,
    lead: types::builder::Lead,
    phones: Vec<String>,
    emails: Vec<String>,
    nin: Vec<Nin>,
    product: Option<P>,
}

/// Optional text fields, each set through the generated builder's setter of the same name.
macro_rules! text_setters {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.lead = self.lead.$name(Some(value.into()));
            self
        }
    )*};
}

impl<P: LeadKind> LeadBuilder<P> {
    fn new(utm_source: impl Into<String>) -> Self {
        Self {
            utm_source: utm_source.into(),
            lead: types::builder::Lead::default(),
            phones: Vec::new(),
            emails: Vec::new(),
            nin: Vec::new(),
            product: None,
        }
    }

    /// Adds a phone number.
    pub fn phone(mut self, phone: impl Into<String>) -> Self {
        self.phones.push(phone.into());
        self
    }

    /// Adds an e-mail address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.emails.push(email.into());
        self
    }

    /// Adds a national identification number (CPF, DNI, RUT, …).
    pub fn nin(mut self, kind: NinType, number: impl Into<String>) -> Self {
        self.nin.push(Nin {
            number: Some(number.into()),
            type_: Some(kind),
            id: None,
            extra: Default::default(),
        });
        self
    }

    /// The routing priority.
    pub fn priority(mut self, priority: f64) -> Self {
        self.lead = self.lead.priority(Some(priority));
        self
    }

    /// The product the prospect is interested in.
    pub fn product(mut self, product: P) -> Self {
        self.product = Some(product);
        self
    }

    text_setters! {
        /// Campaign medium (`utmMedium`).
        utm_medium;
        /// Campaign name (`utmCampaign`).
        utm_campaign;
        /// Who provided the lead.
        provider;
        /// The provider's id for the lead.
        provider_lead_id;
        /// First name.
        first_name;
        /// Last name.
        last_name;
        /// Lead category (see `list_lead_categories`).
        category;
        /// Street address.
        address;
        /// Neighbourhood.
        sub_locality;
        /// City.
        locality;
        /// State or region.
        region;
        /// Country.
        country;
        /// Postal code.
        zip_code;
        /// Title of the listing the lead came from.
        listing_title;
        /// URL of the listing the lead came from.
        listing_url;
        /// Free text.
        comments;
        /// Routing hint: company.
        company;
        /// Routing hint: store.
        store;
        /// Routing hint: agent name or code.
        agent;
    }

    /// Checks the lead and turns it into the kind's generated body.
    pub fn build(self) -> Result<NewLead, Error> {
        // Checked before the generated builder, whose message would name the Rust field.
        if self.utm_source.trim().is_empty() {
            return Err(no_utm_source());
        }
        let lead: types::Lead = self
            .lead
            .utm_source(self.utm_source)
            .phones(self.phones)
            .emails(self.emails)
            .nin(self.nin)
            .try_into()
            .map_err(|e: types::error::ConversionError| {
                Error::InvalidInput(format!("lead: {e}"))
            })?;
        validate(&lead)?;
        P::into_new_lead(lead, self.product).map_err(|e| Error::InvalidInput(format!("lead: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(lead: NewLead) -> serde_json::Value {
        match lead {
            NewLead::Vehicle(l) => serde_json::to_value(l).unwrap(),
            other => panic!("expected a vehicle lead, got {other:?}"),
        }
    }

    #[test]
    fn every_setter_reaches_the_body_under_the_specs_name() {
        let lead = Lead::vehicle("ads")
            .utm_medium("cpc")
            .utm_campaign("spring")
            .provider("portal")
            .provider_lead_id("p-1")
            .first_name("Ana")
            .last_name("Lima")
            .category("new")
            .address("Rua A, 1")
            .sub_locality("Centro")
            .locality("Recife")
            .region("PE")
            .country("BR")
            .zip_code("50000-000")
            .listing_title("Pulse")
            .listing_url("https://example.com/pulse")
            .comments("call after 6pm")
            .company("Acme")
            .store("Boa Viagem")
            .agent("a-7")
            .priority(2.0)
            .phone("+5581999999999")
            .email("ana@example.com")
            .nin(
                NinType::KnownNinType(types::KnownNinType::Cpf),
                "12345678909",
            )
            .product(VehicleProduct {
                make: Some("Fiat".into()),
                ..serde_json::from_value(json!({})).unwrap()
            })
            .build()
            .unwrap();
        assert_eq!(
            body(lead),
            json!({
                "utmSource": "ads", "utmMedium": "cpc", "utmCampaign": "spring",
                "provider": "portal", "providerLeadId": "p-1", "firstName": "Ana",
                "lastName": "Lima", "category": "new", "address": "Rua A, 1",
                "subLocality": "Centro", "locality": "Recife", "region": "PE", "country": "BR",
                "zipCode": "50000-000", "listingTitle": "Pulse",
                "listingUrl": "https://example.com/pulse", "comments": "call after 6pm",
                "company": "Acme", "store": "Boa Viagem", "agent": "a-7", "priority": 2.0,
                "phones": ["+5581999999999"], "emails": ["ana@example.com"],
                "nin": [{"type": "CPF", "number": "12345678909"}],
                "product": {"make": "Fiat"}
            })
        );
    }

    #[test]
    fn a_generated_body_made_by_hand_is_checked_before_sending() {
        let no_contact: VehicleLead = serde_json::from_value(json!({"utmSource": "ads"})).unwrap();
        let error = NewLead::Vehicle(no_contact).validate().unwrap_err();
        assert!(error.to_string().contains("phone or e-mail"), "{error}");
        let blank_source: RetailLead =
            serde_json::from_value(json!({"utmSource": " ", "emails": ["a@b.c"]})).unwrap();
        let error = NewLead::Retail(blank_source).validate().unwrap_err();
        assert!(error.to_string().contains("utmSource"), "{error}");
        let usable: RealEstateLead =
            serde_json::from_value(json!({"utmSource": "ads", "phones": ["+1"]})).unwrap();
        assert!(NewLead::RealEstate(usable).validate().is_ok());
    }
}
