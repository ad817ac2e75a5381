//! Leads: the five lead kinds, categories and defaults.

use super::*;

// ---- leads ----

#[tokio::test]
async fn create_vehicle_lead_sends_the_documented_lead_and_reads_the_merged_prospect() {
    let server = MockServer::start_async().await;
    let lead: types::VehicleLead = round_trip(&fixture("conversion/lead.vehicle.json"));
    let product = lead.product.as_ref().expect("the vehicle is typed");
    assert_eq!(product.fuel_type, Some(types::FuelType::Flex));
    assert_eq!(product.condition, Some(types::ProductCondition::Used));
    assert_eq!(
        product.odometer.as_ref().and_then(|o| o.unit),
        Some(types::KnownDistanceUnit::Km)
    );
    assert_eq!(
        product
            .finance
            .as_ref()
            .and_then(|f| f.payment_month_length),
        Some(48)
    );
    let mock = lead_mock(&server, "/lead/vehicle", to_json(&lead)).await;

    let created = client(&server)
        .create_vehicle_lead()
        .body(lead)
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(
        normalized(&to_json(&created)),
        normalized(&fixture("conversion/prospect_created.merged.json"))
    );
    assert_eq!(created.id, MERGED_ID);
    assert_eq!(created.merged, Some(true));
    assert!(
        created
            .absence_message
            .as_deref()
            .is_some_and(|m| m.contains("Nosso horário de atendimento")),
        "{:?}",
        created.absence_message
    );
    assert_eq!(
        created.status,
        types::ProspectStatus::from(types::KnownProspectStatus::Unclaimed)
    );
    assert_eq!(created.leads.len(), 2, "both merged leads are listed");
    assert_eq!(
        created.leads[1].provider_lead_id.as_deref(),
        Some("WM-88291734")
    );
    let interactions = created.interactions.as_ref().expect("interactions");
    assert_eq!(interactions.len(), 1);
    assert_eq!(interactions[0].bot, Some(true));
    assert_eq!(
        created.sent_working_hour_message,
        Some(utc("2024-03-05T22:40:17.951Z"))
    );
}

#[tokio::test]
async fn create_retail_lead_posts_the_lead_and_its_product() {
    let server = MockServer::start_async().await;
    let lead: types::RetailLead = round_trip(&retail_lead());
    let mock = lead_mock(&server, "/lead/retail", to_json(&lead)).await;

    let created = client(&server)
        .create_retail_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
    assert_eq!(created.merged, Some(true));
}

#[tokio::test]
async fn create_insurance_lead_posts_the_lead_and_its_product() {
    let server = MockServer::start_async().await;
    let lead: types::InsuranceLead = round_trip(&insurance_lead());
    assert_eq!(
        lead.nin[0].type_,
        Some(types::NinType::from(types::KnownNinType::Cpf))
    );
    let mock = lead_mock(&server, "/lead/insurance", to_json(&lead)).await;

    let created = client(&server)
        .create_insurance_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn create_saving_plan_lead_posts_the_lead_and_its_plan() {
    let server = MockServer::start_async().await;
    let lead: types::SavingPlanLead = round_trip(&saving_plan_lead());
    assert_eq!(
        lead.product.as_ref().and_then(|p| p.good_type),
        Some(types::SavingPlanGoodType::Property)
    );
    let mock = lead_mock(&server, "/lead/saving-plan", to_json(&lead)).await;

    let created = client(&server)
        .create_saving_plan_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn create_real_estate_lead_posts_the_lead_and_its_property() {
    let server = MockServer::start_async().await;
    let lead: types::RealEstateLead = round_trip(&real_estate_lead());
    assert_eq!(
        lead.product.as_ref().and_then(|p| p.type_),
        Some(types::RealEstateType::Residential)
    );
    let mock = lead_mock(&server, "/lead/real-estate", to_json(&lead)).await;

    let created = client(&server)
        .create_real_estate_lead()
        .body(lead)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.id, MERGED_ID);
}

#[tokio::test]
async fn list_lead_categories_reads_the_default_first() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/leads/categories")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("api-version", "1.10.0");
            then.status(200)
                .json_body(fixture("conversion/categories.json"));
        })
        .await;

    let categories = client(&server).list_lead_categories().send().await.unwrap();

    mock.assert_async().await;
    let names: Vec<&str> = categories
        .iter()
        .filter_map(|c| c.name.as_deref())
        .collect();
    assert_eq!(names, ["novos", "seminovos", "pos-venda"]);
    assert!(categories[0]
        .description
        .as_deref()
        .is_some_and(|d| d.contains("categoria padrão")));
}

#[tokio::test]
async fn get_lead_defaults_reads_currency_and_distance_unit() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/leads/defaults")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/defaults.json"));
        })
        .await;

    let defaults = client(&server)
        .get_lead_defaults()
        .send()
        .await
        .unwrap()
        .into_inner();

    mock.assert_async().await;
    assert_eq!(defaults.currency, "BRL");
    assert_eq!(
        defaults.distance,
        types::DistanceUnit::from(types::KnownDistanceUnit::Km)
    );
}
