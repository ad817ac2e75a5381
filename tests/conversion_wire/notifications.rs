//! Notifications: topics and subscriptions.

use super::*;

// ---- notifications ----

#[tokio::test]
async fn list_topics_reads_the_four_known_topics() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notifications/topics")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/topics.json"));
        })
        .await;

    let topics = client(&server).list_topics().send().await.unwrap();

    mock.assert_async().await;
    let names: Vec<String> = topics
        .iter()
        .filter_map(|t| t.name.as_ref().map(ToString::to_string))
        .collect();
    assert_eq!(names, ["prospects", "interactions", "quotes", "agents"]);
    assert!(topics
        .iter()
        .all(|t| matches!(t.name, Some(types::TopicName::KnownTopicName(_)))));
}

#[tokio::test]
async fn list_subscriptions_reads_the_active_subscriptions() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(json!([fixture("conversion/subscription.json")]));
        })
        .await;

    let subscriptions = client(&server).list_subscriptions().send().await.unwrap();

    mock.assert_async().await;
    assert_eq!(subscriptions.len(), 1);
    assert_eq!(subscriptions[0].id, SUBSCRIPTION_ID);
}

#[tokio::test]
async fn create_subscription_posts_topics_and_callback_and_reads_the_201() {
    let server = MockServer::start_async().await;
    let request: types::NewSubscription = round_trip(&new_subscription());
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1)
                .header("content-type", "application/json")
                .json_body(new_subscription());
            then.status(201)
                .json_body(fixture("conversion/subscription.json"));
        })
        .await;

    let created = client(&server)
        .create_subscription()
        .body(request)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(created.status().as_u16(), 201);
    let subscription = created.into_inner();
    assert_eq!(
        subscription,
        typed::<types::Subscription>(fixture("conversion/subscription.json"))
    );
    let topics: Vec<String> = subscription.topics.iter().map(|t| t.to_string()).collect();
    assert_eq!(topics, ["prospects", "interactions"]);
    assert!(subscription
        .callback_url
        .ends_with("?secret=6f1e9a0c4b7d2e8f3a5c1b9d7e2f4a6c"));
}

#[tokio::test]
async fn delete_subscriptions_reads_how_many_were_deactivated() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/notifications/subscriptions")
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(json!({"modified": 3}));
        })
        .await;

    let result = client(&server).delete_subscriptions().send().await.unwrap();

    mock.assert_async().await;
    assert_eq!(result.modified, 3.0);
}

#[tokio::test]
async fn get_subscription_uses_the_singular_path() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/notifications/subscription/{SUBSCRIPTION_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200)
                .json_body(fixture("conversion/subscription.json"));
        })
        .await;

    let subscription = client(&server)
        .get_subscription()
        .subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(subscription.id, SUBSCRIPTION_ID);
    assert_eq!(subscription.topics.len(), 2);
}

#[tokio::test]
async fn delete_subscription_uses_the_singular_path_and_reads_it_inactive() {
    let server = MockServer::start_async().await;
    let mut answer = fixture("conversion/subscription.json");
    answer["active"] = json!(false);
    let mock = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/notifications/subscription/{SUBSCRIPTION_ID}"))
                .query_param("api-key", KEY)
                .query_param_count(".*", ".*", 1);
            then.status(200).json_body(answer);
        })
        .await;

    let subscription = client(&server)
        .delete_subscription()
        .subscription_id(SUBSCRIPTION_ID)
        .send()
        .await
        .unwrap();

    mock.assert_async().await;
    assert_eq!(subscription.id, SUBSCRIPTION_ID);
}
