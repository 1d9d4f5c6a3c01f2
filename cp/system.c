// SPDX-License-Identifier: MIT
/*
 * cp/system.c - the system: the table of logged-on users, references,
 * the mailbox, logoff, disconnect, the idle and disconnected-read timers,
 * and the system's own life (create, start, shutdown).  The life cycle of
 * a user is drawn in cp/cp.h; logon (new, reconnect, takeover, AUTOLOG) is
 * cp/system_logon.c; the sessions, exec and the calls for the VM layer are
 * cp/system_session.c.
 *
 * Every logged-on user is one VM in the dispatcher (struct disp_vm), even
 * before anything is IPLed: its `run` first handles a logoff request, then
 * runs a slice of the guest if there is one that may run.  Its CP commands
 * and other work arrive in its mailbox, so they run on the thread that runs
 * the VM.  Logoff ends with DISP_EXIT; the dispatcher's `exited` call
 * tears the user down on that thread, and the memory goes with the last
 * reference (a terminal may still be draining the LOGOFF lines).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cp/cpcmd.h"
#include "vmrv/ipl.h"

#define DISC_POLL_NS 60000000000ull /* re-check a disconnected VM at least this often */

/* ---- time formats ------------------------------------------------------------ */

void
cp_time_parts(time_t t, char *hms, size_t hlen, char *zone, size_t zlen, char *date, size_t dlen)
{
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(hms, hlen, "%H:%M:%S", &tm);
    strftime(zone, zlen, "%Z", &tm);
    char day[16];
    strftime(day, sizeof day, "%A", &tm);
    for (char *p = day; *p; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    char mdy[16]; /* as VM: LOGON AT 09:26:11 EST WEDNESDAY 11/25/26 */
    strftime(mdy, sizeof mdy, "%m/%d/%y", &tm);
    snprintf(date, dlen, "%s %s", day, mdy);
}

void
cp_fmt_cpu(uint64_t ns, char *buf, size_t len)
{
    uint64_t hs = ns / 10000000ull; /* hundredths */
    snprintf(buf, len, "%03llu:%02llu.%02llu", (unsigned long long)(hs / 6000),
             (unsigned long long)(hs / 100 % 60), (unsigned long long)(hs % 100));
}

void
cp_fmt_connect(uint64_t ns, char *buf, size_t len)
{
    uint64_t s = ns / 1000000000ull;
    snprintf(buf, len, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600),
             (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

/* ---- references and lookup ------------------------------------------------------- */

static void
user_free(struct cp_user *u)
{
    con_destroy(u->con);
    pthread_mutex_destroy(&u->lock);
    free(u);
}

void
cp_user_get(struct cp_user *u)
{
    pthread_mutex_lock(&u->sys->lock);
    u->refs++;
    pthread_mutex_unlock(&u->sys->lock);
}

void
cp_user_put(struct cp_user *u)
{
    if (!u) {
        return;
    }
    if (u->transient) {
        user_free(u);
        return;
    }
    pthread_mutex_lock(&u->sys->lock);
    int left = --u->refs;
    pthread_mutex_unlock(&u->sys->lock);
    if (left == 0) {
        user_free(u);
    }
}

/* sys->lock held */
struct cp_user *
cp_user_find_locked(struct cp_system *sys, const char *userid)
{
    for (struct cp_user *u = sys->users; u; u = u->next) {
        if (strcasecmp(u->userid, userid) == 0) {
            return u;
        }
    }
    return NULL;
}

struct cp_user *
cp_user_find(struct cp_system *sys, const char *userid, bool any_state)
{
    pthread_mutex_lock(&sys->lock);
    struct cp_user *u = cp_user_find_locked(sys, userid);
    if (u) {
        pthread_mutex_lock(&u->lock);
        bool ok = any_state || u->state == USER_ACTIVE;
        pthread_mutex_unlock(&u->lock);
        if (ok) {
            u->refs++;
        } else {
            u = NULL;
        }
    }
    pthread_mutex_unlock(&sys->lock);
    return u;
}

struct cp_settings
cp_user_settings(struct cp_user *u)
{
    pthread_mutex_lock(&u->lock);
    struct cp_settings s = u->set;
    pthread_mutex_unlock(&u->lock);
    return s;
}

/* A user struct (not in the table), from a directory entry. */
struct cp_user *
cp_user_alloc(struct cp_system *sys, const struct cp_dirent *de, bool transient)
{
    struct cp_user *u = calloc(1, sizeof *u);
    if (!u) {
        return NULL;
    }
    u->sys = sys;
    u->dir = *de;
    snprintf(u->userid, sizeof u->userid, "%s", de->userid);
    for (char *p = u->userid; *p; p++) {
        *p = (char)toupper((unsigned char)*p);
    }
    pthread_mutex_init(&u->lock, NULL);
    u->transient = transient;
    u->refs = 1;
    u->classes = de->classes;
    u->storage = de->storage ? de->storage : VMRV_DEFAULT_STORAGE;
    u->share = de->share ? de->share : SCHED_SHARE_DEFAULT;
    u->set.msg = u->set.wng = u->set.imsg = true;
    u->set.smsg = u->set.run = false;
    u->set.emsg = MSG_EMSG_ON;
    return u;
}

int
cp_commit_storage(struct cp_system *sys, uint64_t old_bytes, uint64_t new_bytes)
{
    int rc = 0;
    pthread_mutex_lock(&sys->lock);
    uint64_t next = sys->committed - old_bytes + new_bytes;
    if (new_bytes > old_bytes && next > sys->cfg.committed_storage) {
        rc = MSG_COMMITTED;
    } else {
        sys->committed = next;
    }
    pthread_mutex_unlock(&sys->lock);
    return rc;
}

/* ---- waking and work ---------------------------------------------------------------- */

void
cp_user_nudge(struct cp_user *u)
{
    if (u->transient || !u->dv_added) {
        return;
    }
    /* through the dispatcher: it kicks only a VM that is running now, so
     * never one whose machine is being destroyed */
    disp_kick(u->sys->disp, &u->dv);
    disp_wake(u->sys->disp, &u->dv, false);
}

void
cp_user_wake(struct cp_user *u)
{
    if (!u->transient && u->dv_added) {
        disp_wake(u->sys->disp, &u->dv, false);
    }
}

struct user_work {
    struct disp_work w;
    struct cp_user *u;
    void (*fn)(struct cp_user *u, const char *arg);
    void (*fnp)(struct cp_user *u, void *p);
    void *p;
    char arg[];
};

static void
user_work_fn(struct disp_work *w, void *vmctx)
{
    struct user_work *uw = (struct user_work *)w;
    if (uw->fnp) {
        uw->fnp(uw->u, uw->p);
    } else {
        uw->fn(uw->u, uw->arg);
    }
    free(uw);
}

int
cp_user_post_ptr(struct cp_user *u, void (*fn)(struct cp_user *u, void *p), void *p,
                 bool interactive)
{
    if (u->transient || !u->dv_added) {
        return -ESRCH;
    }
    struct user_work *uw = calloc(1, sizeof *uw + 1);
    if (!uw) {
        return -ENOMEM;
    }
    uw->w.fn = user_work_fn;
    uw->u = u;
    uw->fnp = fn;
    uw->p = p;
    int rc = disp_post(u->sys->disp, &u->dv, &uw->w, interactive);
    if (rc < 0) {
        free(uw);
    }
    return rc;
}

int
cp_user_post(struct cp_user *u, void (*fn)(struct cp_user *u, const char *arg), const char *arg,
             bool interactive)
{
    if (u->transient || !u->dv_added) {
        return -ESRCH;
    }
    size_t n = arg ? strlen(arg) : 0;
    if (n > 4096) {
        n = 4096;
    }
    struct user_work *uw = calloc(1, sizeof *uw + n + 1);
    if (!uw) {
        return -ENOMEM;
    }
    uw->w.fn = user_work_fn;
    uw->u = u;
    uw->fn = fn;
    if (n) {
        memcpy(uw->arg, arg, n);
    }
    uw->arg[n] = '\0';
    int rc = disp_post(u->sys->disp, &u->dv, &uw->w, interactive);
    if (rc < 0) {
        free(uw);
    }
    return rc;
}

void
cp_user_waker(void *ctx)
{
    cp_user_wake(ctx);
}

void
cp_user_set_guest(struct cp_user *u, bool running)
{
    __atomic_store_n(&u->guest, running, __ATOMIC_RELAXED);
    con_set_guest(u->con, running);
    if (running) {
        cp_user_wake(u);
    }
}

/* ---- messages written by CP to a user's console ------------------------------------ */

/* One message to u's console, per u's settings. */
void
cp_user_msgv(struct cp_user *u, int num, const char *const *args, unsigned nargs)
{
    struct cp_out o;
    cp_out_init(&o, u);
    cp_out_msgv(&o, num, args, nargs);
    if (o.len) {
        con_cp_output(u->con, o.buf, o.len);
    }
    cp_out_fini(&o);
}

void
cp_now_parts(char *hms, char *zone, char *date)
{
    cp_time_parts(time(NULL), hms, 16, zone, 16, date, 40);
}

/* ---- timers: idle disconnect, disconnected read timeout --------------------------- */

static void
arm_timer(struct cp_user *u, uint64_t when)
{
    disp_timer_arm(u->sys->disp, &u->timer, when);
}

/* (Re)arms the user's timer for its current state; any thread. */
void
cp_user_timer_update(struct cp_user *u)
{
    const struct cp_config *cfg = &u->sys->cfg;
    pthread_mutex_lock(&u->lock);
    bool active = u->state == USER_ACTIVE;
    bool connected = u->sess != NULL;
    uint64_t disc = u->disc_mono;
    pthread_mutex_unlock(&u->lock);
    if (!active) {
        return;
    }
    uint64_t now = disp_now();
    if (connected) {
        if (cfg->idle_disconnect_s) {
            arm_timer(u, con_last_input(u->con) + cfg->idle_disconnect_s * 1000000000ull);
        } else {
            disp_timer_cancel(u->sys->disp, &u->timer);
        }
        return;
    }
    if (!cfg->disconnect_timeout_s) {
        disp_timer_cancel(u->sys->disp, &u->timer);
        return;
    }
    uint64_t limit = cfg->disconnect_timeout_s * 1000000000ull;
    uint64_t since = con_reading_since(u->con);
    if (since) {
        uint64_t start = since > disc ? since : disc;
        arm_timer(u, start + limit);
    } else {
        arm_timer(u, now + (limit < DISC_POLL_NS ? limit : DISC_POLL_NS));
    }
}

static void
format_duration(unsigned s, char *buf, size_t len)
{
    if (s % 3600 == 0) {
        snprintf(buf, len, "%u hour%s", s / 3600, s == 3600 ? "" : "s");
    } else if (s % 60 == 0) {
        snprintf(buf, len, "%u minute%s", s / 60, s == 60 ? "" : "s");
    } else {
        snprintf(buf, len, "%u second%s", s, s == 1 ? "" : "s");
    }
}

void
cp_user_timer_fn(struct disp_timer *t)
{
    struct cp_user *u = t->arg;
    const struct cp_config *cfg = &u->sys->cfg;
    pthread_mutex_lock(&u->lock);
    bool active = u->state == USER_ACTIVE;
    bool connected = u->sess != NULL;
    uint64_t disc = u->disc_mono;
    pthread_mutex_unlock(&u->lock);
    if (!active) {
        return;
    }
    uint64_t now = disp_now();
    char dur[32];
    if (connected) {
        uint64_t limit = cfg->idle_disconnect_s * 1000000000ull;
        if (limit && now - con_last_input(u->con) >= limit) {
            format_duration(cfg->idle_disconnect_s, dur, sizeof dur);
            cp_user_disconnect(u, MSG_IDLEDISC, dur, "idle");
            return;
        }
    } else {
        uint64_t limit = cfg->disconnect_timeout_s * 1000000000ull;
        uint64_t since = con_reading_since(u->con);
        uint64_t start = since > disc ? since : disc;
        if (limit && since && now - start >= limit) {
            format_duration(cfg->disconnect_timeout_s, dur, sizeof dur);
            cp_user_request_logoff(u, MSG_DISCTIMEOUT, dur, "disconnected and waiting for input");
            return;
        }
    }
    cp_user_timer_update(u);
}

/* ---- logoff ---------------------------------------------------------------------------- */

bool
cp_user_request_logoff(struct cp_user *u, int msg, const char *arg, const char *reason)
{
    if (u->transient) {
        return false;
    }
    pthread_mutex_lock(&u->lock);
    if (u->state != USER_ACTIVE || u->exit_requested) {
        pthread_mutex_unlock(&u->lock);
        return false;
    }
    u->state = USER_LOGGING_OFF;
    u->exit_requested = true;
    u->logoff_msg = msg;
    snprintf(u->logoff_arg, sizeof u->logoff_arg, "%s", arg ? arg : "");
    snprintf(u->logoff_reason, sizeof u->logoff_reason, "%s", reason ? reason : "LOGOFF");
    pthread_mutex_unlock(&u->lock);
    cp_user_nudge(u);
    return true;
}

/* On u's thread: the LOGOFF lines. */
static void
write_logoff(struct cp_user *u)
{
    pthread_mutex_lock(&u->lock);
    int notice = u->logoff_msg;
    char arg[CP_USERID_MAX + 24];
    snprintf(arg, sizeof arg, "%s", u->logoff_arg);
    pthread_mutex_unlock(&u->lock);
    if (notice) {
        cp_user_msg(u, notice, arg);
    }
    uint64_t vus = 0, tus = 0;
    cp_user_cpu_times(u, &vus, &tus);
    char conn[24], v[24], tot[24], hms[16], zone[16], date[40];
    cp_fmt_connect(disp_now() - u->logon_mono, conn, sizeof conn);
    cp_fmt_cpu(vus * 1000, v, sizeof v);
    cp_fmt_cpu(tus * 1000, tot, sizeof tot);
    cp_user_msg(u, MSG_CPUTIME, conn, v, tot);
    cp_now_parts(hms, zone, date);
    cp_user_msg(u, MSG_LOGOFFAT, hms, zone, date);
}

/* The dispatcher is done with u: take it out of the system. */
static void
user_exited(void *ctx)
{
    struct cp_user *u = ctx;
    struct cp_system *sys = u->sys;
    pthread_mutex_lock(&sys->lock);
    struct cp_user **pp = &sys->users;
    while (*pp && *pp != u) {
        pp = &(*pp)->next;
    }
    if (*pp) {
        *pp = u->next;
        sys->nusers--;
    }
    pthread_mutex_lock(&u->lock);
    u->state = USER_GONE;
    sys->committed -= u->storage;
    struct cp_session *s = u->sess;
    u->sess = NULL;
    /* Marked under u->lock: once u->sess no longer names it, the terminal's
     * cp_session_close may free it at any moment. */
    session_mark_closed(s, NULL);
    char reason[96];
    snprintf(reason, sizeof reason, "%s", u->logoff_reason);
    pthread_mutex_unlock(&u->lock);
    pthread_cond_broadcast(&sys->cond);
    pthread_mutex_unlock(&sys->lock);
    disp_timer_cancel(sys->disp, &u->timer);
    if (u->vm && sys->svc.vm && sys->svc.vm->destroy) {
        sys->svc.vm->destroy(u->vm);
    }
    u->vm = NULL;
    con_close_terminal(u->con);
    char id[MSG_ID_LEN];
    cplog(CPLOG_INFO, msg_id(MSG_LOG_LOGOFF, id), u->userid, "%s logged off: %s", u->userid,
          reason);
    cplog_audit("LOGOFF", u->userid, "%s", reason);
    cp_user_put(u); /* the system's reference */
}

static enum disp_result
user_run(void *ctx, struct disp_slice *sl)
{
    struct cp_user *u = ctx;
    pthread_mutex_lock(&u->lock);
    bool exit = u->exit_requested;
    bool run_on = u->set.run;
    pthread_mutex_unlock(&u->lock);
    if (exit) {
        cpcmd_sleep_end_all(u); /* answered before the VM goes */
        write_logoff(u);
        return DISP_EXIT;
    }
    if (__atomic_load_n(&u->dormant, __ATOMIC_ACQUIRE)) {
        return DISP_WAIT; /* SLEEP: the end wakes it */
    }
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (!u->vm || !u->guest || !vo || !vo->run) {
        return DISP_WAIT;
    }
    if (!run_on && con_in_cp_read(u->con)) {
        return DISP_WAIT; /* stopped in CP READ until BEGIN */
    }
    u->in_slice = true;
    enum disp_result r = vo->run(u->vm, sl);
    u->in_slice = false;
    if (r == DISP_EXIT) {
        /* the VM layer does not end users; treat it as a stop */
        cp_user_stopped(u, "the virtual machine ended");
        return DISP_WAIT;
    }
    return r;
}

static void
user_kick(void *ctx)
{
    struct cp_user *u = ctx;
    const struct cp_vm_ops *vo = u->sys->svc.vm;
    if (u->vm && vo && vo->kick) {
        vo->kick(u->vm);
    }
}

const struct disp_vm_ops cp_user_disp_ops = {user_run, user_kick, user_exited};

/* ---- disconnect ------------------------------------------------------------------------------ */

bool
cp_user_disconnect(struct cp_user *u, int notice, const char *arg, const char *why)
{
    if (u->transient) {
        return false;
    }
    pthread_mutex_lock(&u->lock);
    struct cp_session *s = u->sess;
    if (!s || u->state != USER_ACTIVE) {
        pthread_mutex_unlock(&u->lock);
        return false;
    }
    u->sess = NULL;
    u->disc_mono = disp_now();
    session_mark_closed(s, NULL); /* under u->lock: see user_exited */
    pthread_mutex_unlock(&u->lock);
    if (notice) {
        cp_user_msg(u, notice, arg ? arg : "");
    }
    char hms[16], zone[16], date[40];
    cp_now_parts(hms, zone, date);
    cp_user_msg(u, MSG_DISCAT, hms, zone, date);
    con_close_terminal(u->con);
    char id[MSG_ID_LEN];
    cplog(CPLOG_INFO, msg_id(MSG_LOG_DISC, id), u->userid, "%s disconnected: %s", u->userid, why);
    cplog_audit("DISCONN", u->userid, "%s", why);
    cp_user_timer_update(u);
    return true;
}

/* ---- the system ----------------------------------------------------------------------------- */

static void *
thread_start_hook(void *ctx, unsigned thread)
{
    struct cp_system *sys = ctx;
    return sys->svc.vm && sys->svc.vm->thread_start
               ? sys->svc.vm->thread_start(sys->svc.ctx, thread)
               : NULL;
}

static void
thread_end_hook(void *ctx, void *tctx)
{
    struct cp_system *sys = ctx;
    if (sys->svc.vm && sys->svc.vm->thread_end) {
        sys->svc.vm->thread_end(sys->svc.ctx, tctx);
    }
}

struct cp_system *
cp_system_create(const struct cp_config *cfg, const struct cp_services *svc, char *err,
                 size_t errlen)
{
    struct cp_system *sys = calloc(1, sizeof *sys);
    if (!sys) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sys->cfg = *cfg;
    if (svc) {
        sys->svc = *svc;
    }
    if (cfg->timezone[0]) {
        setenv("TZ", cfg->timezone, 1);
    }
    tzset();
    struct disp_hooks hooks = {sys, thread_start_hook, thread_end_hook};
    sys->disp = disp_create(cfg->dispatchers, (uint64_t)cfg->slice_ms * 1000000ull, &hooks);
    if (!sys->disp) {
        snprintf(err, errlen, "out of memory");
        free(sys);
        return NULL;
    }
    pthread_mutex_init(&sys->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&sys->cond, &ca);
    pthread_condattr_destroy(&ca);
    sys->logmsg_lines = cfg->logmsg_lines;
    memcpy(sys->logmsg, cfg->logmsg, sizeof sys->logmsg);
    sys->ipl_time = time(NULL);
    return sys;
}

int
cp_system_start(struct cp_system *sys)
{
    int rc = cp_io_start(sys);
    if (rc == 0) {
        rc = disp_start(sys->disp);
    }
    if (rc == 0) {
        char id[MSG_ID_LEN];
        cplog(CPLOG_INFO, msg_id(MSG_LOG_START, id), NULL, "%s %s started: %u dispatchers",
              sys->cfg.system_name, PACKAGE_VERSION, disp_threads(sys->disp));
    }
    return rc;
}

const struct cp_config *
cp_system_config(const struct cp_system *sys)
{
    return &sys->cfg;
}

unsigned
cp_system_users(struct cp_system *sys)
{
    pthread_mutex_lock(&sys->lock);
    unsigned n = sys->nusers;
    pthread_mutex_unlock(&sys->lock);
    return n;
}

static void
deadline_in(struct timespec *ts, int ms)
{
    uint64_t when = disp_now() + (uint64_t)ms * 1000000ull;
    ts->tv_sec = (time_t)(when / 1000000000ull);
    ts->tv_nsec = (long)(when % 1000000000ull);
}

bool
cp_system_wait(struct cp_system *sys, int timeout_ms)
{
    struct timespec ts;
    if (timeout_ms >= 0) {
        deadline_in(&ts, timeout_ms);
    }
    pthread_mutex_lock(&sys->lock);
    while (!sys->shutdown_requested) {
        if (timeout_ms < 0) {
            pthread_cond_wait(&sys->cond, &sys->lock);
        } else if (pthread_cond_timedwait(&sys->cond, &sys->lock, &ts) == ETIMEDOUT) {
            break;
        }
    }
    bool r = sys->shutdown_requested;
    pthread_mutex_unlock(&sys->lock);
    return r;
}

void
cp_system_begin_shutdown(struct cp_system *sys, const char *by)
{
    pthread_mutex_lock(&sys->lock);
    if (sys->shutting_down) {
        pthread_mutex_unlock(&sys->lock);
        return;
    }
    sys->shutting_down = sys->shutdown_requested = true;
    snprintf(sys->shutdown_by, sizeof sys->shutdown_by, "%s", by);
    size_t n = 0;
    for (struct cp_user *u = sys->users; u; u = u->next) {
        n++;
    }
    struct cp_user **list = calloc(n ? n : 1, sizeof *list);
    size_t k = 0;
    for (struct cp_user *u = sys->users; u && list; u = u->next) {
        u->refs++;
        list[k++] = u;
    }
    pthread_cond_broadcast(&sys->cond);
    pthread_mutex_unlock(&sys->lock);
    char id[MSG_ID_LEN];
    cplog(CPLOG_INFO, msg_id(MSG_LOG_SHUTDOWN, id), NULL, "System shutdown: by %s", by);
    cplog_audit("SHUTDOWN", NULL, "by %s", by);
    for (size_t i = 0; i < k; i++) {
        cp_user_request_logoff(list[i], MSG_SHUTDOWN, NULL, "SHUTDOWN");
        cp_user_put(list[i]);
    }
    free(list);
}

void
cp_system_request_shutdown(struct cp_system *sys, const char *by)
{
    cp_system_begin_shutdown(sys, by ? by : "SYSTEM");
}

unsigned
cp_system_shutdown(struct cp_system *sys, unsigned grace_ms)
{
    cp_system_begin_shutdown(sys, "SYSTEM");
    struct timespec ts;
    deadline_in(&ts, (int)grace_ms);
    pthread_mutex_lock(&sys->lock);
    while (sys->nusers > 0) {
        if (pthread_cond_timedwait(&sys->cond, &sys->lock, &ts) == ETIMEDOUT) {
            break;
        }
    }
    unsigned left = sys->nusers;
    pthread_mutex_unlock(&sys->lock);
    cp_io_stop(sys);
    disp_stop(sys->disp);
    if (left) {
        cplog(CPLOG_WARN, NULL, NULL, "Shutdown: %u users did not log off in time", left);
    }
    return left;
}

void
cp_system_destroy(struct cp_system *sys)
{
    if (!sys) {
        return;
    }
    cp_io_stop(sys);
    disp_stop(sys->disp);
    /* users that never finished logging off: drop them */
    while (sys->users) {
        struct cp_user *u = sys->users;
        sys->users = u->next;
        disp_timer_cancel(sys->disp, &u->timer);
        if (u->vm && sys->svc.vm && sys->svc.vm->destroy) {
            sys->svc.vm->destroy(u->vm);
        }
        user_free(u);
    }
    disp_destroy(sys->disp);
    pthread_cond_destroy(&sys->cond);
    pthread_mutex_destroy(&sys->lock);
    free(sys);
}
