//! Typed lead builders that refuse, before sending, a lead the vendor cannot use: one
//! without `utmSource`, or without a phone or an e-mail.

use crate::error::Error;
use conversion_api::types::{
    InsuranceLead, Nin, NinType, Product, RealEstateLead, RealEstateProduct, RetailLead,
    SavingPlanLead, SavingPlanProduct, VehicleLead, VehicleProduct,
};
use serde::Serialize;
use serde_json::{Map, Value};
use std::marker::PhantomData;

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
        let body = match self {
            NewLead::Retail(l) => serde_json::to_value(l),
            NewLead::Vehicle(l) => serde_json::to_value(l),
            NewLead::Insurance(l) => serde_json::to_value(l),
            NewLead::SavingPlan(l) => serde_json::to_value(l),
            NewLead::RealEstate(l) => serde_json::to_value(l),
        }
        .map_err(|e| Error::InvalidInput(format!("lead: {e}")))?;
        validate(&body)
    }
}

fn validate(body: &Value) -> Result<(), Error> {
    let text = |v: &Value| v.as_str().is_some_and(|s| !s.trim().is_empty());
    if !body.get("utmSource").is_some_and(text) {
        return Err(Error::InvalidInput(
            "a lead needs a `utmSource` (where it came from)".into(),
        ));
    }
    let any = |key: &str| {
        body.get(key)
            .and_then(Value::as_array)
            .is_some_and(|list| list.iter().any(text))
    };
    if !any("phones") && !any("emails") {
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

/// The product type of each lead kind, and how a finished body becomes a [`NewLead`].
pub trait LeadKind: Serialize {
    #[doc(hidden)]
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error>;
}

impl LeadKind for Product {
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error> {
        serde_json::from_value(body).map(NewLead::Retail)
    }
}
impl LeadKind for VehicleProduct {
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error> {
        serde_json::from_value(body).map(NewLead::Vehicle)
    }
}
impl LeadKind for InsuranceProduct {
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error> {
        serde_json::from_value(body).map(NewLead::Insurance)
    }
}
impl LeadKind for SavingPlanProduct {
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error> {
        serde_json::from_value(body).map(NewLead::SavingPlan)
    }
}
impl LeadKind for RealEstateProduct {
    fn into_new_lead(body: Value) -> Result<NewLead, serde_json::Error> {
        serde_json::from_value(body).map(NewLead::RealEstate)
    }
}

/// Builds a lead of kind `P` (its product type).
#[derive(Clone, Debug)]
pub struct LeadBuilder<P> {
    fields: Map<String, Value>,
    phones: Vec<String>,
    emails: Vec<String>,
    nin: Vec<Nin>,
    product: Option<Value>,
    kind: PhantomData<P>,
}

macro_rules! text_setters {
    ($($(#[$doc:meta])* $name:ident => $key:literal;)*) => {$(
        $(#[$doc])*
        pub fn $name(mut self, value: impl Into<String>) -> Self {
            self.fields.insert($key.into(), Value::String(value.into()));
            self
        }
    )*};
}

impl<P: LeadKind> LeadBuilder<P> {
    fn new(utm_source: impl Into<String>) -> Self {
        let mut fields = Map::new();
        fields.insert("utmSource".into(), Value::String(utm_source.into()));
        Self {
            fields,
            phones: Vec::new(),
            emails: Vec::new(),
            nin: Vec::new(),
            product: None,
            kind: PhantomData,
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
        self.fields.insert("priority".into(), Value::from(priority));
        self
    }

    /// The product the prospect is interested in.
    pub fn product(mut self, product: P) -> Self {
        self.product = serde_json::to_value(product).ok();
        self
    }

    text_setters! {
        /// Campaign medium (`utmMedium`).
        utm_medium => "utmMedium";
        /// Campaign name (`utmCampaign`).
        utm_campaign => "utmCampaign";
        /// Who provided the lead.
        provider => "provider";
        /// The provider's id for the lead.
        provider_lead_id => "providerLeadId";
        /// First name.
        first_name => "firstName";
        /// Last name.
        last_name => "lastName";
        /// Lead category (see `list_lead_categories`).
        category => "category";
        /// Street address.
        address => "address";
        /// Neighbourhood.
        sub_locality => "subLocality";
        /// City.
        locality => "locality";
        /// State or region.
        region => "region";
        /// Country.
        country => "country";
        /// Postal code.
        zip_code => "zipCode";
        /// Title of the listing the lead came from.
        listing_title => "listingTitle";
        /// URL of the listing the lead came from.
        listing_url => "listingUrl";
        /// Free text.
        comments => "comments";
        /// Routing hint: company.
        company => "company";
        /// Routing hint: store.
        store => "store";
        /// Routing hint: agent name or code.
        agent => "agent";
    }

    /// Checks the lead and turns it into the kind's generated body.
    pub fn build(self) -> Result<NewLead, Error> {
        let mut body = self.fields;
        body.insert(
            "phones".into(),
            self.phones.into_iter().map(Value::from).collect(),
        );
        body.insert(
            "emails".into(),
            self.emails.into_iter().map(Value::from).collect(),
        );
        if !self.nin.is_empty() {
            let nin =
                serde_json::to_value(&self.nin).map_err(|e| Error::InvalidInput(e.to_string()))?;
            body.insert("nin".into(), nin);
        }
        if let Some(product) = self.product {
            body.insert("product".into(), product);
        }
        let body = Value::Object(body);
        validate(&body)?;
        P::into_new_lead(body).map_err(|e| Error::InvalidInput(format!("lead: {e}")))
    }
}
