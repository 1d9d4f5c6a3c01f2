// SPDX-License-Identifier: MIT
/*
 * login/auth.c - authentication of one connection (SSH thread side).
 *
 * libssh queues each authentication request as an ssh_message; session.c
 * hands it here and we keep it (s->pending) until it can be answered, so
 * the slow check runs on the backend's threads while this thread serves
 * other sessions. Per request:
 *
 *   SS_AUTH --request--> [throttle_attempt: wait?] --> SS_AUTH_DELAY
 *        \                                              | t_wait
 *         `-----------------------> dispatch <----------'
 *                                     | backend auth_password/auth_pubkey
 *                                     v
 *                              SS_AUTH_BACKEND --login_auth_done--> answer
 *        OK: reply success, SS_READY.
 *        refused: count the failure; hold the reply until fail_floor_ms
 *        after dispatch (SS_AUTH_FLOOR), then reply failure, SS_AUTH.
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
auth_release_pending(struct login_session *s)
{
    if (s->pending != NULL) {
        ssh_message_free(s->pending);
        s->pending = NULL;
    }
    if (s->pending_secret != NULL) {
        explicit_bzero(s->pending_secret, strlen(s->pending_secret));
        free(s->pending_secret);
        s->pending_secret = NULL;
    }
    free(s->pending_ktype);
    free(s->pending_kb64);
    s->pending_ktype = s->pending_kb64 = NULL;
    if (s->counted_pending) {
        s->counted_pending = 0;
        atomic_fetch_sub(&s->srv->n_pending, 1);
    }
}

static void
check_tries(struct login_session *s)
{
    if (s->tries >= s->srv->cfg.max_auth_tries) {
        login_logf(s->srv, LOGIN_LOG_NOTICE, "too many failed logon attempts from %s: disconnected",
                   s->peer);
        ssh_session_set_disconnect_message(s->ssh, "Too many failed logon attempts");
        sess_kill(s, LOGIN_DISC_ERROR);
    }
}

/* Ask the backend (or refuse a malformed name right away). */
static void
dispatch(struct login_session *s)
{
    struct login_server *srv = s->srv;
    struct login_auth *a = malloc(sizeof *a);
    if (a == NULL) {
        sess_kill(s, LOGIN_DISC_ERROR);
        return;
    }
    s->state = SS_AUTH_BACKEND;
    s->pending_started = login_now_ms();
    pthread_mutex_lock(&s->lock);
    a->seq = ++s->auth_seq;
    s->auth_answered = 0;
    pthread_mutex_unlock(&s->lock);
    a->s = s;
    login_session_hold(s);
    if (!s->pending_valid || (s->pending_kind != AK_PASSWORD && srv->be.auth_pubkey == NULL)) {
        login_auth_done(a, LOGIN_AUTH_DENY);
    } else if (s->pending_kind == AK_PASSWORD) {
        srv->be.auth_password(srv->be.opaque, a, s->pending_user,
                              s->pending_secret ? s->pending_secret : "");
    } else {
        srv->be.auth_pubkey(srv->be.opaque, a, s->pending_user, s->pending_ktype,
                            s->pending_kb64);
    }
    if (s->pending_secret != NULL) {
        explicit_bzero(s->pending_secret, strlen(s->pending_secret));
    }
}

/* Keep m and start checking it. force_deny: answer "no" whatever the name. */
static void
attempt(struct login_session *s, ssh_message m, enum auth_kind kind, const char *user,
        const char *secret, const char *ktype, const char *kb64, int force_deny)
{
    struct login_server *srv = s->srv;
    s->pending = m;
    s->pending_kind = kind;
    s->counted_pending = 1;
    atomic_fetch_add(&srv->n_pending, 1);
    s->pending_valid = login_userid_normalize(user, s->pending_user) == 0;
    if (!s->pending_valid) {
        s->pending_user[0] = '\0';
    }
    if (force_deny) {
        s->pending_valid = 0;
    }
    s->pending_secret = strdup(secret ? secret : "");
    s->pending_ktype = strdup(ktype ? ktype : "");
    s->pending_kb64 = strdup(kb64 ? kb64 : "");
    if (s->pending_secret == NULL || s->pending_ktype == NULL || s->pending_kb64 == NULL) {
        sess_kill(s, LOGIN_DISC_ERROR);
        return;
    }
    uint64_t now = login_now_ms();
    uint64_t start = now;
    if (kind != AK_PK_PROBE) {
        start = throttle_attempt(&srv->thr, s->pending_valid ? s->pending_user : NULL, s->peer,
                                 now);
    }
    if (start > now) {
        login_logf(srv, LOGIN_LOG_DEBUG, "logon attempt from %s delayed %llu ms", s->peer,
                   (unsigned long long)(start - now));
        s->state = SS_AUTH_DELAY;
        s->t_wait = start;
        login_thread_timer(s->th, start);
    } else {
        dispatch(s);
    }
}

static void
pubkey_request(struct login_session *s, ssh_message m, const char *user)
{
    ssh_key key = ssh_message_auth_pubkey(m);
    int state = ssh_message_auth_publickey_state(m);
    const char *type = key ? ssh_key_type_to_char(ssh_key_type(key)) : NULL;
    char *b64 = NULL;
    if (type == NULL || ssh_pki_export_pubkey_base64(key, &b64) != SSH_OK) {
        attempt(s, m, AK_PK_SIGNED, user, NULL, NULL, NULL, 1);
    } else if (state == SSH_PUBLICKEY_STATE_NONE) {
        attempt(s, m, AK_PK_PROBE, user, NULL, type, b64, 0);
    } else {
        attempt(s, m, AK_PK_SIGNED, user, NULL, type, b64, state != SSH_PUBLICKEY_STATE_VALID);
    }
    ssh_string_free_char(b64);
}

void
auth_request(struct login_session *s, ssh_message m)
{
    const char *user = ssh_message_auth_user(m);
    switch (ssh_message_subtype(m)) {
    case SSH_AUTH_METHOD_PASSWORD:
        attempt(s, m, AK_PASSWORD, user, ssh_message_auth_password(m), NULL, NULL, 0);
        return;
    case SSH_AUTH_METHOD_INTERACTIVE:
        if (!ssh_message_auth_kbdint_is_response(m)) {
            const char *prompts[1] = {"Password: "};
            char echo[1] = {0};
            snprintf(s->kbd_user, sizeof s->kbd_user, "%s", user ? user : "");
            s->kbd_asked = 1;
            if (ssh_message_auth_interactive_request(m, "", "", 1, prompts, echo) != SSH_OK) {
                sess_kill(s, LOGIN_DISC_ERROR);
            }
            ssh_message_free(m);
            return;
        }
        {
            int ok = s->kbd_asked && ssh_userauth_kbdint_getnanswers(s->ssh) == 1;
            const char *answer = ok ? ssh_userauth_kbdint_getanswer(s->ssh, 0) : NULL;
            s->kbd_asked = 0;
            attempt(s, m, AK_PASSWORD, s->kbd_user, answer, NULL, NULL, !ok || answer == NULL);
        }
        return;
    case SSH_AUTH_METHOD_PUBLICKEY:
        if (s->srv->be.auth_pubkey != NULL) {
            pubkey_request(s, m, user);
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
reply_failure(struct login_session *s)
{
    ssh_message_reply_default(s->pending);
    auth_release_pending(s);
    s->state = SS_AUTH;
    check_tries(s);
}

static void
logon_ok(struct login_session *s)
{
    struct login_server *srv = s->srv;
    throttle_result(&srv->thr, s->pending_user, s->peer, 1, login_now_ms());
    if (throttle_user_add(&srv->thr, s->pending_user, srv->cfg.max_sessions_per_user) != 0) {
        login_logf(srv, LOGIN_LOG_NOTICE, "logon of %s from %s refused: too many sessions",
                   s->pending_user, s->peer);
        ssh_session_set_disconnect_message(s->ssh, "Too many sessions for this user");
        auth_release_pending(s);
        sess_kill(s, LOGIN_DISC_ERROR);
        return;
    }
    s->counted_user = 1;
    memcpy(s->userid, s->pending_user, sizeof s->userid);
    enum auth_kind kind = s->pending_kind;
    ssh_message_auth_reply_success(s->pending, 0);
    auth_release_pending(s);
    s->state = SS_READY;
    if (s->counted_unauth) {
        s->counted_unauth = 0;
        atomic_fetch_sub(&srv->n_unauth, 1);
        throttle_unauth_del(&srv->thr, s->peer);
    }
    atomic_fetch_add(&srv->n_logons, 1);
    login_logf(srv, LOGIN_LOG_INFO, "logon %s from %s (%s)", s->userid, s->peer,
               kind_name(kind));
}

void
auth_answer(struct login_session *s, int ok)
{
    struct login_server *srv = s->srv;
    if (s->pending_kind == AK_PK_PROBE) {
        if (ok) {
            ssh_message_auth_reply_pk_ok_simple(s->pending);
            auth_release_pending(s);
            s->state = SS_AUTH;
        } else {
            s->tries++;
            reply_failure(s);
        }
        return;
    }
    if (ok) {
        logon_ok(s);
        return;
    }
    uint64_t now = login_now_ms();
    int n = throttle_result(&srv->thr, s->pending_valid ? s->pending_user : NULL, s->peer, 0,
                            now);
    atomic_fetch_add(&srv->n_failures, 1);
    s->tries++;
    login_logf(srv, LOGIN_LOG_NOTICE, "failed logon for %s from %s (%s; %d recent failures)",
               s->pending_valid ? s->pending_user : "(malformed user id)", s->peer,
               kind_name(s->pending_kind), n);
    uint64_t floor = s->pending_started + srv->cfg.fail_floor_ms;
    if (now < floor) {
        s->state = SS_AUTH_FLOOR;
        s->t_wait = floor;
        login_thread_timer(s->th, floor);
    } else {
        reply_failure(s);
    }
}

void
auth_timer(struct login_session *s, uint64_t now)
{
    if (now < s->t_wait) {
        return;
    }
    if (s->state == SS_AUTH_DELAY) {
        dispatch(s);
    } else if (s->state == SS_AUTH_FLOOR) {
        reply_failure(s);
    }
}
