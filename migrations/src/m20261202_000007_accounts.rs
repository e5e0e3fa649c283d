//! Accounts, their sessions and single-use tokens, organizations with their members and
//! invitations, and the audit log of privileged changes. Tokens and session ids are stored only
//! as SHA-256 hashes, so a read of the database hands out no working link or cookie. Roles and
//! states are short strings that the app reads into enums.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_auto(Account::Id))
                    .col(string_len_uniq(Account::Email, 254))
                    .col(text_null(Account::PasswordHash))
                    .col(string_len(Account::State, 16))
                    .col(string_len(Account::Role, 16))
                    .col(big_integer(Account::CreatedAt))
                    .col(big_integer_null(Account::VerifiedAt))
                    .col(big_integer(Account::PasswordChangedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Organization::Table)
                    .col(pk_auto(Organization::Id))
                    .col(string_len(Organization::Name, 120))
                    .col(string_len(Organization::Kind, 16))
                    .col(big_integer(Organization::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Membership::Table)
                    .col(integer(Membership::OrganizationId))
                    .col(integer(Membership::AccountId))
                    .col(string_len(Membership::Role, 16))
                    .col(big_integer(Membership::CreatedAt))
                    .primary_key(Index::create().col(Membership::OrganizationId).col(Membership::AccountId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Membership::Table, Membership::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Membership::Table, Membership::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_membership_account")
                    .table(Membership::Table)
                    .col(Membership::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LoginSession::Table)
                    .col(string_len(LoginSession::IdHash, 64).primary_key())
                    .col(integer(LoginSession::AccountId))
                    .col(integer_null(LoginSession::ActingOrgId))
                    .col(big_integer(LoginSession::CreatedAt))
                    .col(big_integer(LoginSession::LastSeenAt))
                    .col(big_integer(LoginSession::ExpiresAt))
                    .col(string_len(LoginSession::Client, 64))
                    .col(string_len(LoginSession::UserAgent, 200))
                    .foreign_key(
                        ForeignKey::create()
                            .from(LoginSession::Table, LoginSession::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(LoginSession::Table, LoginSession::ActingOrgId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_login_session_account")
                    .table(LoginSession::Table)
                    .col(LoginSession::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AccountToken::Table)
                    .col(string_len(AccountToken::TokenHash, 64).primary_key())
                    .col(integer(AccountToken::AccountId))
                    .col(string_len(AccountToken::Purpose, 16))
                    .col(string_len_null(AccountToken::NewEmail, 254))
                    .col(text_null(AccountToken::PasswordHash))
                    .col(big_integer(AccountToken::CreatedAt))
                    .col(big_integer(AccountToken::ExpiresAt))
                    .col(big_integer_null(AccountToken::UsedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(AccountToken::Table, AccountToken::AccountId)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_account_token_account")
                    .table(AccountToken::Table)
                    .col(AccountToken::AccountId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Invitation::Table)
                    .col(pk_auto(Invitation::Id))
                    .col(integer(Invitation::OrganizationId))
                    .col(string_len(Invitation::Email, 254))
                    .col(string_len_uniq(Invitation::TokenHash, 64))
                    .col(integer_null(Invitation::InvitedBy))
                    .col(big_integer(Invitation::CreatedAt))
                    .col(big_integer(Invitation::ExpiresAt))
                    .col(big_integer_null(Invitation::AcceptedAt))
                    .col(integer_null(Invitation::AcceptedBy))
                    .col(big_integer_null(Invitation::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitation::Table, Invitation::OrganizationId)
                            .to(Organization::Table, Organization::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitation::Table, Invitation::InvitedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Invitation::Table, Invitation::AcceptedBy)
                            .to(Account::Table, Account::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(big_pk_auto(AuditLog::Id))
                    .col(big_integer(AuditLog::At))
                    .col(integer_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::ActorEmail, 254))
                    .col(integer_null(AuditLog::OrganizationId))
                    .col(string_len(AuditLog::Action, 40))
                    .col(string_len(AuditLog::TargetKind, 40))
                    .col(string_len(AuditLog::TargetId, 64))
                    .col(text_null(AuditLog::Before))
                    .col(text_null(AuditLog::After))
                    .col(string_len(AuditLog::Client, 64))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [("idx_audit_at", AuditLog::At), ("idx_audit_actor", AuditLog::ActorId)] {
            manager.create_index(Index::create().name(name).table(AuditLog::Table).col(col).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            Invitation::Table.into_iden(),
            AccountToken::Table.into_iden(),
            LoginSession::Table.into_iden(),
            Membership::Table.into_iden(),
            Organization::Table.into_iden(),
            Account::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Email,
    PasswordHash,
    State,
    Role,
    CreatedAt,
    VerifiedAt,
    PasswordChangedAt,
}

#[derive(DeriveIden)]
enum Organization {
    Table,
    Id,
    Name,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Membership {
    Table,
    OrganizationId,
    AccountId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LoginSession {
    Table,
    IdHash,
    AccountId,
    ActingOrgId,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    Client,
    UserAgent,
}

#[derive(DeriveIden)]
enum AccountToken {
    Table,
    TokenHash,
    AccountId,
    Purpose,
    NewEmail,
    PasswordHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
}

#[derive(DeriveIden)]
enum Invitation {
    Table,
    Id,
    OrganizationId,
    Email,
    TokenHash,
    InvitedBy,
    CreatedAt,
    ExpiresAt,
    AcceptedAt,
    AcceptedBy,
    RevokedAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    At,
    ActorId,
    ActorEmail,
    OrganizationId,
    Action,
    TargetKind,
    TargetId,
    Before,
    After,
    Client,
}
