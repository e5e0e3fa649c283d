use sea_orm::entity::prelude::*;

/// One privileged change: who (the account, and its address at the time), acting for which
/// organization, what, on which record, before and after (JSON), when and from which address.
/// Rows are only ever added.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_log")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i32>,
    pub actor_email: String,
    pub organization_id: Option<i32>,
    pub action: AuditAction,
    pub target_kind: String,
    pub target_id: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub before: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub after: Option<String>,
    pub client: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(40))")]
pub enum AuditAction {
    #[sea_orm(string_value = "account.disable")]
    AccountDisable,
    #[sea_orm(string_value = "account.enable")]
    AccountEnable,
    #[sea_orm(string_value = "account.make-admin")]
    AccountMakeAdmin,
    #[sea_orm(string_value = "account.delete")]
    AccountDelete,
    #[sea_orm(string_value = "account.password")]
    AccountPassword,
    #[sea_orm(string_value = "account.email")]
    AccountEmail,
    #[sea_orm(string_value = "account.sessions-end")]
    AccountSessionsEnd,
    #[sea_orm(string_value = "org.create")]
    OrgCreate,
    #[sea_orm(string_value = "org.invite")]
    OrgInvite,
    #[sea_orm(string_value = "org.invite-revoke")]
    OrgInviteRevoke,
    #[sea_orm(string_value = "org.join")]
    OrgJoin,
    #[sea_orm(string_value = "org.member-remove")]
    OrgMemberRemove,
    #[sea_orm(string_value = "org.owner-transfer")]
    OrgOwnerTransfer,
    #[sea_orm(string_value = "proposal.approve")]
    ProposalApprove,
    #[sea_orm(string_value = "proposal.reject")]
    ProposalReject,
    #[sea_orm(string_value = "proposal.ask")]
    ProposalAsk,
    #[sea_orm(string_value = "record.revert")]
    RecordRevert,
    #[sea_orm(string_value = "conflict.settle")]
    ConflictSettle,
    #[sea_orm(string_value = "account.trust")]
    AccountTrust,
    #[sea_orm(string_value = "account.untrust")]
    AccountUntrust,
    #[sea_orm(string_value = "claim.start")]
    ClaimStart,
    #[sea_orm(string_value = "claim.verify")]
    ClaimVerify,
    #[sea_orm(string_value = "claim.grant")]
    ClaimGrant,
    #[sea_orm(string_value = "claim.transfer")]
    ClaimTransfer,
    #[sea_orm(string_value = "claim.revoke")]
    ClaimRevoke,
    #[sea_orm(string_value = "brand.developer-facts")]
    DeveloperFactsEdit,
    #[sea_orm(string_value = "publication.upload")]
    PublicationUpload,
    #[sea_orm(string_value = "publication.rollback")]
    PublicationRollback,
    #[sea_orm(string_value = "publication.feed")]
    PublicationFeed,
    #[sea_orm(string_value = "app.create")]
    AppCreate,
    #[sea_orm(string_value = "app.update")]
    AppUpdate,
    #[sea_orm(string_value = "attestation.submit")]
    AttestationSubmit,
    #[sea_orm(string_value = "attestation.approve")]
    AttestationApprove,
    #[sea_orm(string_value = "attestation.request-changes")]
    AttestationRequestChanges,
    #[sea_orm(string_value = "attestation.reject")]
    AttestationReject,
    #[sea_orm(string_value = "questionnaire.publish")]
    QuestionnairePublish,
    #[sea_orm(string_value = "request.approve")]
    RequestApprove,
    #[sea_orm(string_value = "request.deny")]
    RequestDeny,
    #[sea_orm(string_value = "request.revoke")]
    RequestRevoke,
    #[sea_orm(string_value = "request.assign")]
    RequestAssign,
    #[sea_orm(string_value = "payer.registration-settings")]
    PayerRegistrationSettings,
}

impl AuditAction {
    /// The stored name, which the log shows and is filtered by.
    pub fn name(self) -> String {
        use sea_orm::ActiveEnum;
        self.to_value()
    }

    pub fn from_name(name: &str) -> Option<Self> {
        use sea_orm::{ActiveEnum, Iterable};
        AuditAction::iter().find(|a| a.to_value() == name)
    }
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
