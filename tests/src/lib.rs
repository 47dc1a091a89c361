//! The HTTP API as one scenario suite, run over real HTTP against every reference app.
//!
//! Each framework has one harness file in `tests/` that names its app binary:
//!
//! ```ignore
//! tokengate_scenarios::scenario_suite!("app-axum");
//! ```
//!
//! which expands to one `#[test]` per scenario, so a failure names itself. Each scenario
//! starts the app on `127.0.0.1:0` with a fresh SQLite file and stops it afterwards.
//!
//! To run the suite against a server that is already running, set
//! `TOKENGATE_SCENARIO_BASE_URL=http://HOST:PORT` (and, if it does not use the suite's keys,
//! `TOKENGATE_SCENARIO_SECRET`, `TOKENGATE_SCENARIO_CS_ENVIRONMENT_ID`,
//! `TOKENGATE_SCENARIO_CS_ACCESS_KEY`). Scenarios that must start the app themselves (restart,
//! bad configuration, no CKEditor keys) are skipped then, with a message.
//!
//! The database-outage scenario runs the app on PostgreSQL behind [`outage::CuttableProxy`]; it
//! needs `TOKENGATE_TEST_POSTGRES_URL` and is skipped without it (required under `CI=true`).

pub mod copy_me;
pub mod dpop_client;
pub mod harness;
pub mod instances;
pub mod outage;
pub mod scenarios;
pub mod verify_only;

pub use harness::Target;

/// Expands to one `#[tokio::test]` per scenario of [`scenarios`], against the
/// `tokengate-examples` binary named by the argument, or against any workspace binary:
/// `scenario_suite!(package = "tokengate-cli", binary = "tokengate", args = ["serve"])`.
#[macro_export]
macro_rules! scenario_suite {
    (package = $package:expr, binary = $binary:expr, args = [$($arg:expr),* $(,)?]) => {
        $crate::scenario_suite!(@all $crate::Target::command($package, $binary, &[$($arg),*]));
    };
    ($binary:expr) => {
        $crate::scenario_suite!(@all $crate::Target::new($binary));
    };
    (@all $target:expr) => {
        $crate::scenario_suite!(@tests $target;
            public_is_open_to_anyone,
            healthz_reports_ok,
            unknown_route_is_a_json_404,
            a_wrong_method_is_405_with_allow,
            openapi_document_describes_every_route,
            jwks_never_publishes_a_secret,
            private_key_signs_and_jwks_publishes_it,
            openid_configuration_only_for_a_url_issuer_with_published_keys,
            another_app_trusts_this_one_through_discovery,
            signup_creates_a_user_from_json,
            signup_accepts_a_form,
            signup_refuses_a_taken_email_whatever_its_case,
            signup_refuses_a_bad_email,
            signup_refuses_a_short_password,
            signup_refuses_a_missing_field,
            signup_refuses_malformed_json,
            body_over_64_kib_is_413,
            a_broken_body_is_400_and_creates_nothing,
            login_with_json_returns_a_token_pair,
            login_with_a_form,
            login_with_http_basic,
            login_matches_email_without_regard_to_case,
            login_gives_one_answer_for_unknown_email_and_wrong_password,
            login_is_throttled_after_ten_failures,
            unknown_emails_are_throttled_alike,
            login_refuses_malformed_bodies,
            refresh_rotates_the_pair,
            refresh_reuse_revokes_the_whole_login,
            a_token_presented_again_within_the_grace_gets_the_same_successor,
            without_a_grace_every_reuse_ends_the_login,
            two_tabs_refreshing_at_once_both_stay_signed_in,
            sessions_lists_the_users_live_logins,
            deleting_a_session_ends_that_login,
            deleting_all_sessions_logs_out_everywhere,
            changing_the_password_ends_every_other_login,
            revoke_ends_the_login_of_a_token,
            the_revocation_feed_lists_ended_logins,
            the_audit_log_records_security_events_without_secrets,
            metrics_count_decisions_logins_and_refreshes,
            metrics_are_off_unless_enabled,
            dpop_login_binds_the_access_token_to_the_key,
            dpop_attacks_are_refused,
            dpop_needs_bound_tokens_and_bound_cookies_need_proofs,
            dpop_refresh_needs_a_proof_by_the_logins_key,
            dpop_authz_checks_the_original_request,
            dpop_nonces_are_required_when_configured,
            refresh_refuses_an_unknown_token,
            logout_revokes_access_and_refresh_at_once,
            a_refused_token_never_reaches_the_handler,
            logout_ends_only_its_own_login,
            logout_of_a_token_without_jti_revokes_it,
            simultaneous_signups_of_one_email_make_one_account,
            simultaneous_refreshes_share_one_successor,
            simultaneous_logouts_end_the_token,
            simultaneous_logins_each_get_their_own_identity,
            a_password_flood_beyond_the_queue_is_503_and_loses_nothing,
            memory_stays_bounded_under_a_login_flood,
            protected_needs_a_token,
            bearer_failures_are_alike_on_every_bearer_route,
            protected_answers_with_the_subject,
            bearer_scheme_is_case_insensitive,
            x_access_token_header_is_accepted,
            other_schemes_count_as_no_token,
            query_string_tokens_are_ignored,
            malformed_tokens_are_invalid,
            bad_signature_is_invalid,
            alg_none_is_invalid,
            wrong_algorithm_is_invalid,
            expired_token_is_token_expired,
            not_yet_valid_token_is_invalid,
            future_iat_is_invalid,
            wrong_audience_is_invalid,
            wrong_issuer_is_invalid,
            required_claims_must_be_present,
            non_integer_dates_are_invalid,
            crit_header_is_invalid,
            repeated_members_are_invalid,
            oversized_token_is_invalid,
            token_size_limit_is_exactly_8_kib,
            leeway_is_at_most_sixty_seconds,
            a_kid_naming_no_key_is_only_a_label,
            malformed_collaboration_claims_are_invalid,
            embedded_keys_never_select_a_key,
            error_messages_never_echo_the_token,
            users_me_returns_the_account,
            cs_token_is_a_cloud_services_jwt,
            cs_token_payload_survives_atob,
            cs_token_carries_the_access_tokens_grants,
            cs_token_needs_a_bearer_token,
            cs_token_without_keys_is_503_not_configured,
            documents_reader_reads_but_cannot_write,
            documents_writer_writes,
            documents_star_grant_covers_every_document,
            documents_grant_for_one_document_does_not_cover_another,
            documents_explicit_permissions_count,
            documents_without_grants_are_forbidden,
            documents_scope_grants_every_document,
            document_ids_are_decoded_once_alike,
            cors_preflight_allows_the_configured_origin,
            cors_refuses_other_origins,
            cors_headers_on_cs_token,
            session_sets_three_cookies_with_their_attributes,
            session_cookie_authenticates_and_a_header_wins,
            csrf_guards_cookie_authenticated_writes,
            session_refresh_rotates_the_cookies,
            delete_session_ends_the_login_and_clears_the_cookies,
            cors_allows_credentials_for_allowed_origins_only,
            cookie_secure_can_be_turned_off_for_development,
            gateway_without_a_policy_needs_a_valid_token,
            gateway_policy_decides_by_host_path_method_and_scope,
            gateway_paths_are_normalised_and_bypasses_refused,
            gateway_reads_each_proxys_headers,
            gateway_judges_cookies_csrf_and_revocation_as_the_bearer_routes,
            a_bad_policy_file_stops_start_up,
            data_survives_a_restart,
            database_outage_is_503_and_loses_nothing,
            configured_algorithm_issuer_audience_and_ttl_are_used,
            bad_configuration_stops_start_up,
            unsound_keys_stop_start_up,
            dev_mode_generates_a_secret_with_a_warning,
        );
    };
    (@tests $target:expr; $($scenario:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $scenario() {
                $crate::scenarios::$scenario(&$target).await;
            }
        )*
    };
}
