// SPDX-License-Identifier: MIT
/*
 * login/auth.c - authentication of one connection (SSH thread side).
 * A connection logs on once; all its channels are that user's.
 *
 * libssh queues each authentication request as an ssh_message; conn.c
 * hands it here and we keep it (c->pending) until it can be answered, so
 * the slow check runs on the backend's threads while this thread serves
 * other sessions. Per request:
 *
 *   CS_AUTH --request--> [throttle_attempt: wait?] --> CS_AUTH_DELAY
 *        \                                              | t_wait
 *         `-----------------------> dispatch <----------'
 *                                     | backend auth_password/auth_pubkey
 *                                     v
 *                              CS_AUTH_BACKEND --login_auth_done--> answer
 *        OK: reply success, CS_READY.
 *        refused: count the failure; hold the reply until fail_floor_ms
 *        after dispatch (CS_AUTH_FLOOR), then reply failure, CS_AUTH.
 *
 * Methods: password; keyboard-interactive (one masked "Password:" prompt,
 * same path as password); public key, where the probe (no signature) is
 * answered "key OK" only if the backend knows the key, and the signed
 * request (signature already verified by libssh) is checked again and is
 * the only one that logs on. A malformed user id goes through the same
 * states without reaching the backend: same answer, same time. Delays are
 * applied before the backend sees the password (no hashing while waiting).
 * While a request is held, the socket is not read (libssh must answer in
 * order); only a hang-up is watched.
 */
#include "login/login_int.h"
#include "vmrv/userid.h"

/* libssh 0.10 marks the ssh_message accessors deprecated in favour of
 * callbacks that must answer at once; keeping the message is the point
 * (see login_int.h), so the warning is silenced here on purpose. */
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
login_userid_normalize(const char *name, char *out)
{
    return vmrv_userid_norm(name, out) == 0 ? 0 : -EINVAL;
}

int
login_pubkey_equal(const char *type_a, const char *b64_a, const char *type_b, const char *b64_b)
{
    ssh_key a = NULL, b = NULL;
    int eq = 0;
    if (type_a == NULL || b64_a == NULL || type_b == NULL || b64_b == NULL) {
        return 0;
    }
    enum ssh_keytypes_e ta = ssh_key_type_from_name(type_a);
    enum ssh_keytypes_e tb = ssh_key_type_from_name(type_b);
    if (ta != SSH_KEYTYPE_UNKNOWN && tb != SSH_KEYTYPE_UNKNOWN &&
        ssh_pki_import_pubkey_base64(b64_a, ta, &a) == SSH_OK &&
        ssh_pki_import_pubkey_base64(b64_b, tb, &b) == SSH_OK) {
        eq = ssh_key_cmp(a, b, SSH_KEY_CMP_PUBLIC) == 0;
    }
    ssh_key_free(a);
    ssh_key_free(b);
    return eq;
}

static const char *
kind_name(enum auth_kind k)
{
    static const char *const names[] = {
        [AK_PASSWORD] = "password",
        [AK_PK_PROBE] = "public key probe",
        [AK_PK_SIGNED] = "public key",
    };
    return names[k];
}

void
auth_release_pending(struct login_conn *c)
{
    if (c->pending != NULL) {
        ssh_message_free(c->pending);
        c->pending = NULL;
    }
    if (c->pending_secret != NULL) {
        explicit_bzero(c->pending_secret, strlen(c->pending_secret));
        free(c->pending_secret);
        c->pending_secret = NULL;
    }
    free(c->pending_ktype);
    free(c->pending_kb64);
    c->pending_ktype = c->pending_kb64 = NULL;
    if (c->counted_pending) {
        c->counted_pending = 0;
        atomic_fetch_sub(&c->srv->n_pending, 1);
    }
}

static void
check_tries(struct login_conn *c)
{
    if (c->tries >= c->srv->cfg.max_auth_tries) {
        login_logf(c->srv, LOGIN_LOG_NOTICE, "too many failed logon attempts from %s: disconnected",
                   c->peer);
        ssh_session_set_disconnect_message(c->ssh, "Too many failed logon attempts");
        conn_kill(c, LOGIN_DISC_ERROR);
    }
}

/* Ask the backend (or refuse a malformed name right away). */
static void
dispatch(struct login_conn *c)
{
    struct login_server *srv = c->srv;
    struct login_auth *a = malloc(sizeof *a);
    if (a == NULL) {
        conn_kill(c, LOGIN_DISC_ERROR);
        return;
    }
    c->state = CS_AUTH_BACKEND;
    c->pending_started = login_now_ms();
    pthread_mutex_lock(&c->lock);
    a->seq = ++c->auth_seq;
    c->auth_answered = 0;
    pthread_mutex_unlock(&c->lock);
    a->c = c;
    atomic_fetch_add(&c->refs, 1);
    if (!c->pending_valid || (c->pending_kind != AK_PASSWORD && srv->be.auth_pubkey == NULL)) {
        login_auth_done(a, LOGIN_AUTH_DENY);
    } else if (c->pending_kind == AK_PASSWORD) {
        srv->be.auth_password(srv->be.opaque, a, c->pending_user,
                              c->pending_secret ? c->pending_secret : "");
    } else {
        srv->be.auth_pubkey(srv->be.opaque, a, c->pending_user, c->pending_ktype,
                            c->pending_kb64);
    }
    if (c->pending_secret != NULL) {
        explicit_bzero(c->pending_secret, strlen(c->pending_secret));
    }
}

/* Keep m and start checking it. force_deny: answer "no" whatever the name. */
static void
attempt(struct login_conn *c, ssh_message m, enum auth_kind kind, const char *user,
        const char *secret, const char *ktype, const char *kb64, int force_deny)
{
    struct login_server *srv = c->srv;
    c->pending = m;
    c->pending_kind = kind;
    c->counted_pending = 1;
    atomic_fetch_add(&srv->n_pending, 1);
    c->pending_valid = login_userid_normalize(user, c->pending_user) == 0;
    if (!c->pending_valid) {
        c->pending_user[0] = '\0';
    }
    if (force_deny) {
        c->pending_valid = 0;
    }
    c->pending_secret = strdup(secret ? secret : "");
    c->pending_ktype = strdup(ktype ? ktype : "");
    c->pending_kb64 = strdup(kb64 ? kb64 : "");
    if (c->pending_secret == NULL || c->pending_ktype == NULL || c->pending_kb64 == NULL) {
        conn_kill(c, LOGIN_DISC_ERROR);
        return;
    }
    uint64_t now = login_now_ms();
    uint64_t start = now;
    if (kind != AK_PK_PROBE) {
        start = throttle_attempt(&srv->thr, c->pending_valid ? c->pending_user : NULL, c->peer,
                                 now);
    }
    if (start > now) {
        login_logf(srv, LOGIN_LOG_DEBUG, "logon attempt from %s delayed %llu ms", c->peer,
                   (unsigned long long)(start - now));
        c->state = CS_AUTH_DELAY;
        c->t_wait = start;
        login_thread_timer(c->th, start);
    } else {
        dispatch(c);
    }
}

static void
pubkey_request(struct login_conn *c, ssh_message m, const char *user)
{
    ssh_key key = ssh_message_auth_pubkey(m);
    int state = ssh_message_auth_publickey_state(m);
    const char *type = key ? ssh_key_type_to_char(ssh_key_type(key)) : NULL;
    char *b64 = NULL;
    if (type == NULL || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
        attempt(c, m, AK_PK_SIGNED, user, NULL, NULL, NULL, 1);
    } else if (state == SSH_PUBLICKEY_STATE_NONE) {
        attempt(c, m, AK_PK_PROBE, user, NULL, type, b64, 0);
    } else {
        attempt(c, m, AK_PK_SIGNED, user, NULL, type, b64, state != SSH_PUBLICKEY_STATE_VALID);
    }
    ssh_string_free_char(b64);
}

void
auth_request(struct login_conn *c, ssh_message m)
{
    const char *user = ssh_message_auth_user(m);
    switch (ssh_message_subtype(m)) {
    case SSH_AUTH_METHOD_PASSWORD:
        attempt(c, m, AK_PASSWORD, user, ssh_message_auth_password(m), NULL, NULL, 0);
        return;
    case SSH_AUTH_METHOD_INTERACTIVE:
        if (!ssh_message_auth_kbdint_is_response(m)) {
            const char *prompts[1] = {"Password: "};
            char echo[1] = {0};
            snprintf(c->kbd_user, sizeof c->kbd_user, "%s", user ? user : "");
            c->kbd_asked = 1;
            if (ssh_message_auth_interactive_request(m, "", "", 1, prompts, echo) != SSH_OK) {
                conn_kill(c, LOGIN_DISC_ERROR);
            }
            ssh_message_free(m);
            return;
        }
        {
            int ok = c->kbd_asked && ssh_userauth_kbdint_getnanswers(c->ssh) == 1;
            const char *answer = ok ? ssh_userauth_kbdint_getanswer(c->ssh, 0) : NULL;
            c->kbd_asked = 0;
            attempt(c, m, AK_PASSWORD, c->kbd_user, answer, NULL, NULL, !ok || answer == NULL);
        }
        return;
    case SSH_AUTH_METHOD_PUBLICKEY:
        if (c->srv->be.auth_pubkey != NULL) {
            pubkey_request(c, m, user);
            return;
        }
        break;
    default:
        break;
    }
    ssh_message_reply_default(m); /* "none" and others: list our methods */
    ssh_message_free(m);
}

static void
reply_failure(struct login_conn *c)
{
    ssh_message_reply_default(c->pending);
    auth_release_pending(c);
    c->state = CS_AUTH;
    check_tries(c);
}

static void
logon_ok(struct login_conn *c)
{
    struct login_server *srv = c->srv;
    throttle_result(&srv->thr, c->pending_user, c->peer, 1, login_now_ms());
    if (throttle_user_add(&srv->thr, c->pending_user, srv->cfg.max_sessions_per_user) != 0) {
        login_logf(srv, LOGIN_LOG_NOTICE, "logon of %s from %s refused: too many sessions",
                   c->pending_user, c->peer);
        ssh_session_set_disconnect_message(c->ssh, "Too many sessions for this user");
        auth_release_pending(c);
        conn_kill(c, LOGIN_DISC_ERROR);
        return;
    }
    c->counted_user = 1;
    memcpy(c->userid, c->pending_user, sizeof c->userid);
    enum auth_kind kind = c->pending_kind;
    ssh_message_auth_reply_success(c->pending, 0);
    auth_release_pending(c);
    c->state = CS_READY;
    c->t_empty = login_now_ms(); /* no channel yet */
    login_thread_timer(c->th, conn_next_time(c));
    if (c->counted_unauth) {
        c->counted_unauth = 0;
        atomic_fetch_sub(&srv->n_unauth, 1);
        throttle_unauth_del(&srv->thr, c->peer);
    }
    atomic_fetch_add(&srv->n_logons, 1);
    login_logf(srv, LOGIN_LOG_INFO, "logon %s from %s (%s)", c->userid, c->peer,
               kind_name(kind));
}

void
auth_answer(struct login_conn *c, int ok)
{
    struct login_server *srv = c->srv;
    if (c->pending_kind == AK_PK_PROBE) {
        if (ok) {
            ssh_message_auth_reply_pk_ok_simple(c->pending);
            auth_release_pending(c);
            c->state = CS_AUTH;
        } else {
            c->tries++;
            reply_failure(c);
        }
        return;
    }
    if (ok) {
        logon_ok(c);
        return;
    }
    uint64_t now = login_now_ms();
    int n = throttle_result(&srv->thr, c->pending_valid ? c->pending_user : NULL, c->peer, 0,
                            now);
    atomic_fetch_add(&srv->n_failures, 1);
    c->tries++;
    login_logf(srv, LOGIN_LOG_NOTICE, "failed logon for %s from %s (%s; %d recent failures)",
               c->pending_valid ? c->pending_user : "(malformed user id)", c->peer,
               kind_name(c->pending_kind), n);
    uint64_t floor = c->pending_started + srv->cfg.fail_floor_ms;
    if (now < floor) {
        c->state = CS_AUTH_FLOOR;
        c->t_wait = floor;
        login_thread_timer(c->th, floor);
    } else {
        reply_failure(c);
    }
}

void
auth_timer(struct login_conn *c, uint64_t now)
{
    if (now < c->t_wait) {
        return;
    }
    if (c->state == CS_AUTH_DELAY) {
        dispatch(c);
    } else if (c->state == CS_AUTH_FLOOR) {
        reply_failure(c);
    }
}
