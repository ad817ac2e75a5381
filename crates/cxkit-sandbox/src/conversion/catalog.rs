//! The account the fake serves, the same for every seed so that tests and users can name its
//! ids: groups, agents, labels, archiving reasons, additional fields, channels and their
//! templates, contact selections, integrations, categories and topics.

use conversion_api::types::{self, Agent, Prospect};

/// The account's name (`Prospect.account`).
pub(crate) const ACCOUNT: &str = "Sandbox Motors";
/// The account's id (`Prospect.accountId`).
pub(crate) const ACCOUNT_ID: &str = "65f000000000000000000001";
/// The account's WhatsApp number: the other end of every WhatsApp message.
pub(crate) const WHATSAPP_NUMBER: &str = "+551140040000";

/// The account's name on Facebook and Instagram.
pub(crate) const SOCIAL_ACCOUNT: &str = "sandbox.motors";

/// A group of agents.
pub(crate) struct Group {
    /// The group's id.
    pub id: &'static str,
    /// The group's name (`Prospect.group`).
    pub name: &'static str,
}

/// The root group of the account: routing never targets it, it holds the two stores.
pub(crate) const ROOT: Group = Group {
    id: "65f000000000000000000a00",
    name: "Sandbox Motors",
};

/// The groups prospects belong to and can be transferred to. The first one is the
/// integration's: new leads land there.
pub(crate) const GROUPS: [Group; 2] = [
    Group {
        id: "65f000000000000000000a01",
        name: "Vendas",
    },
    Group {
        id: "65f000000000000000000a02",
        name: "Pós-venda",
    },
];

/// The group `id` (one of [`GROUPS`]).
pub(crate) fn group(id: &str) -> Option<&'static Group> {
    GROUPS.iter().find(|g| g.id == id)
}

const AGENT_NAMES: [(&str, &str); 8] = [
    ("Ana", "Souza"),
    ("Bruno", "Lima"),
    ("Carla", "Dias"),
    ("Diego", "Alves"),
    ("Elisa", "Rocha"),
    ("Fábio", "Melo"),
    ("Gabi", "Nunes"),
    ("Hugo", "Reis"),
];

/// How many agents the account has.
pub(crate) const AGENTS: u64 = AGENT_NAMES.len() as u64;

/// The id of agent `n`.
pub(crate) fn agent_id(n: u64) -> String {
    format!("65f0000000000000000b{n:04x}")
}

/// Agent `n` as the API shows it: `appFields` always `{}`, `legacyId` on some.
pub(crate) fn agent(n: u64) -> Agent {
    let (first, last) = AGENT_NAMES[(n % AGENTS) as usize];
    let ascii = |s: &str| s.to_lowercase().replace('á', "a");
    Agent {
        app_fields: Some(Default::default()),
        email: Some(format!(
            "{}.{}@sandbox-motors.example",
            ascii(first),
            ascii(last)
        )),
        external_id: None,
        first_name: first.to_owned(),
        id: agent_id(n),
        last_name: last.to_owned(),
        legacy_id: n.is_multiple_of(3).then(|| format!("CRM-{}", 1000 + n)),
        phone: Some(format!("+5511988{n:06}")),
        extra: Default::default(),
    }
}

/// The index of the agent with this id.
pub(crate) fn agent_index(id: &str) -> Option<u64> {
    (0..AGENTS).find(|n| agent_id(*n) == id)
}

/// The group agent `n` works in.
pub(crate) fn agent_group(n: u64) -> &'static Group {
    &GROUPS[(n % 2) as usize]
}

/// Whether agent `n` is active (the last one left the company).
pub(crate) fn agent_active(n: u64) -> bool {
    n != AGENTS - 1
}

/// Whether agent `n` is online now (deterministic: two of every three active agents).
pub(crate) fn agent_online(n: u64) -> bool {
    agent_active(n) && n % 3 != 2
}

/// The agent's mean response time in seconds (deterministic).
pub(crate) fn agent_response_secs(n: u64) -> u64 {
    90 + (n * 137) % 600
}

/// The agents of group `id` (every agent for the root group).
pub(crate) fn agents_of(id: &str) -> Vec<u64> {
    (0..AGENTS)
        .filter(|n| id == ROOT.id || agent_group(*n).id == id)
        .collect()
}

/// The user (agent) the integration acts as in the `as-user` operations.
pub(crate) const INTEGRATION_USER: u64 = 0;

/// The integrations of the account; the first one owns the sandbox's key.
pub(crate) fn integrations() -> Vec<types::Integration> {
    let integration = |id: &str, name: &str, key: &str, user: Option<String>| types::Integration {
        account: Some(ACCOUNT.to_owned()),
        account_id: Some(ACCOUNT_ID.to_owned()),
        group: GROUPS[0].name.to_owned(),
        group_id: GROUPS[0].id.to_owned(),
        id: id.to_owned(),
        language: Some("pt-BR".to_owned()),
        name: name.to_owned(),
        provider_key: key.to_owned(),
        user,
        extra: Default::default(),
    };
    vec![
        integration(
            "65f000000000000000000c01",
            "Sandbox CRM",
            PROVIDER_KEY,
            Some(agent_id(INTEGRATION_USER)),
        ),
        integration(
            "65f000000000000000000c02",
            "Sandbox WhatsApp",
            "sandbox-whatsapp",
            None,
        ),
    ]
}

/// The `providerKey` of the key's integration, stamped on the leads it sends.
pub(crate) const PROVIDER_KEY: &str = "sandbox-crm";

/// `(key, name)` of the labels the integration's user may set.
pub(crate) const LABELS: [(&str, &str); 4] = [
    ("hot", "Quente"),
    ("vip", "VIP"),
    ("callback", "Retornar ligação"),
    ("financing", "Financiamento"),
];

/// `(reason, name)` of the archiving reasons of the account.
pub(crate) const ARCHIVING_REASONS: [(&str, &str); 5] = [
    ("inactive", "Inativo"),
    ("converted", "Convertido"),
    ("campaignConversion", "Conversão de campanha"),
    ("notInterested", "Sem interesse"),
    ("wrongInfo", "Dados incorretos"),
];

/// `(key, name)` of the additional-data fields of every prospect.
pub(crate) const ADDITIONAL_FIELDS: [(&str, &str); 4] = [
    ("score", "Pontuação"),
    ("city", "Cidade"),
    ("birthdate", "Data de nascimento"),
    ("finance", "Financiamento"),
];

/// A transactional template: key, name, text with `{{parameter}}` slots, provider name.
pub(crate) struct Template {
    /// The key `send_template_message` takes.
    pub key: &'static str,
    /// The display name.
    pub name: &'static str,
    /// The text, with `{{parameter}}` slots.
    pub body: &'static str,
    /// The template's name at the messaging provider.
    pub provider_name: &'static str,
}

/// The WhatsApp templates (the other channels have none).
pub(crate) const TEMPLATES: [Template; 2] = [
    Template {
        key: "welcome",
        name: "Boas-vindas",
        body: "Olá {{name}}, obrigado pelo contato com a Sandbox Motors!",
        provider_name: "welcome_v2",
    },
    Template {
        key: "test_drive",
        name: "Convite para test drive",
        body: "Olá {{name}}, seu test drive está confirmado para {{date}}.",
        provider_name: "test_drive_v1",
    },
];

/// `(channel, channelId)` of the account's messaging channels.
pub(crate) const CHANNELS: [(&str, &str); 3] = [
    ("whatsapp", "65f000000000000000000d01"),
    ("facebook", "65f000000000000000000d02"),
    ("instagram", "65f000000000000000000d03"),
];

/// A contact selection: its id and which prospects it holds.
pub(crate) struct Selection {
    /// The selection's id.
    pub id: &'static str,
    /// Whether a prospect is in the selection.
    pub holds: fn(&Prospect) -> bool,
}

/// The account's contact selections: prospects in follow-up, and the after-sales group.
pub(crate) const SELECTIONS: [Selection; 2] = [
    Selection {
        id: "65f000000000000000000e01",
        holds: |p| p.status.to_string() == "followUp",
    },
    Selection {
        id: "65f000000000000000000e02",
        holds: |p| p.group_id == GROUPS[1].id,
    },
];

/// The lead categories, the default one first.
pub(crate) const CATEGORIES: [(&str, &str); 3] = [
    ("default", "Leads without a category"),
    ("new-cars", "Leads for new cars"),
    ("used-cars", "Leads for used cars"),
];

/// The industries of the key's group.
pub(crate) const INDUSTRIES: [&str; 3] = ["automotive", "insurance", "financing"];

/// `(name, description)` of the notification topics.
pub(crate) const TOPICS: [(&str, &str); 4] = [
    (
        "prospects",
        "A prospect was created, or one of its fields changed.",
    ),
    ("interactions", "An interaction was created or changed."),
    ("quotes", "A quote was created or changed."),
    ("agents", "An agent was created or changed."),
];

/// The account's archiving reasons.
pub(crate) fn archiving_reasons() -> Vec<types::ArchivingReason> {
    ARCHIVING_REASONS
        .iter()
        .map(|(reason, name)| types::ArchivingReason {
            name: Some((*name).to_owned()),
            reason: Some((*reason).to_owned()),
            extra: Default::default(),
        })
        .collect()
}
