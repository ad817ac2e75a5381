//! Sends a lead to Zenvia Conversion, subscribes a webhook, and receives deliveries.
//!
//! ```sh
//! CONVERSION_API_KEY=… WEBHOOK_SECRET=$(openssl rand -hex 24) \
//!   PUBLIC_URL=https://hooks.example.com/conversion \
//!   cargo run -p cxkit --features webhook-server --example conversion_lead_and_webhook
//! ```

#[cfg(feature = "webhook-server")]
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    use cxkit::conversion::webhook::{
        router, serve, Delivery, HandlerError, ReceiverConfig, ServeLimits,
    };
    use cxkit::conversion::{Client, KnownTopicName, Lead, TopicName};

    let client = Client::from_env()?;
    let secret = cxkit::Secret::new(std::env::var(cxkit::conversion::webhook::SECRET_VAR)?);
    let public_url = std::env::var("PUBLIC_URL")?;

    // Refused before sending if it has no utmSource or no phone/e-mail; never retried.
    let lead = Lead::retail("website")
        .first_name("Ana")
        .last_name("Souza")
        .phone("+5511987654321")
        .comments("Asked for a quote on the landing page")
        .build()?;
    let prospect = client.create_lead(lead).await?;
    println!(
        "prospect {} (merged into an existing one: {:?})",
        prospect.id, prospect.merged
    );

    let topics = [
        TopicName::from(KnownTopicName::Interactions),
        TopicName::from(KnownTopicName::Prospects),
    ];
    let subscription = client
        .subscribe_webhook(&public_url, &secret, topics)
        .await?;
    println!("subscribed {}", subscription.id);

    // Refused unless the secret has 16 characters or more.
    let app = router(
        ReceiverConfig::new(secret)?,
        |delivery: Delivery| async move {
            // Answer fast; a failure here makes the vendor redeliver. `delivery.id` names the
            // event across redeliveries: a unique key to store it under.
            let event = &delivery.event;
            println!(
                "{} {:?} {:?} {:?}",
                delivery.id, event.topic, event.type_, event.operation_id
            );
            Ok::<(), HandlerError>(())
        },
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    println!("listening on http://127.0.0.1:8080/ (put a TLS proxy in front of it)");
    // A cap on connections and a header deadline: senders without the secret cannot starve it.
    serve(
        listener,
        app,
        ServeLimits::default(),
        std::future::pending(),
    )
    .await?;
    Ok(())
}

#[cfg(not(feature = "webhook-server"))]
fn main() {
    eprintln!("this example needs `--features webhook-server`");
}
