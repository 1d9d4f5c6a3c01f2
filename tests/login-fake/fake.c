// SPDX-License-Identifier: MIT
/*
 * tests/login-fake/fake.c - a small backend for login/, for end-to-end
 * tests with the real OpenSSH client (tests/login_*.sh). Not CP: it stands
 * in for it with the same interface (login/login.h).
 *
 *   login-fake -k KEYDIR -u USERS [-p PORT] [-o name=value]... [-l LOG]
 *
 * USERS has lines "USERID PASSWORD [KEYTYPE KEYBASE64]" ('#' comments);
 * passwords are hashed with yescrypt at load and checked on two worker
 * threads (unknown users hash against a dummy). -o sets a field of struct
 * login_config (table below). Prints "READY port=N" when listening; SIGTERM
 * or SIGINT stops it. Log lines ("LOG ..." from login/, "EVENT ..." from
 * here) go to LOG or standard error.
 *
 * Console: prints a banner and the prompt "fake> "; lines are answered
 * "ECHO: line", except PASSWORD (asks a masked secret, answers its length),
 * SIZE, WIDE n, SPAM n, LOGOFF. Attention prints "ATTENTION". A second
 * console logon of a user takes the first one over.
 * Commands (exec): ECHO text, ERR text, RC n, CAT (stdin to stdout), BIG n
 * (n bytes), BARRIER n tag (prints tag, finishes when n sessions wait at
 * once), STATS, QUERY NAMES.
 */
#include "config.h"

#include "login/login.h"

#include <crypt.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_USERS 64

struct user {
    char id[LOGIN_USERID_MAX + 1];
    char hash[CRYPT_OUTPUT_SIZE];
    char ktype[64];
    char *kb64;
    struct login_session *console; /* under fake.lock */
};

struct job {
    struct job *next;
    struct login_auth *auth;
    char user[LOGIN_USERID_MAX + 1];
    char password[256];
};

/* Per-session state of the fake. Touched only by the owning SSH thread
 * (all callbacks of a session run there). */
struct fsess {
    struct user *user;
    int exec;
    int cols, rows;
    int secret_next;
    long big_left;   /* BIG: bytes still to send */
    int spam_next, spam_end;
    int cat;         /* CAT running */
    int cat_blocked; /* input paused until writable */
    long eagain;
    int barrier;     /* waiting at the BARRIER */
    char tag[64];
};

static struct {
    struct user users[MAX_USERS];
    int nusers;
    char dummy[CRYPT_OUTPUT_SIZE];
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct job *jobs, **jobs_tail;
    int stop;
    FILE *log;
    struct login_server *srv;
    struct login_session *barrier[2048]; /* BARRIER waiters, under lock */
    int nbarrier;
} fake = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void
logline(const char *fmt, ...)
{
    char buf[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&fake.lock);
    fprintf(fake.log, "%s\n", buf);
    fflush(fake.log);
    pthread_mutex_unlock(&fake.lock);
}

static struct user *
find_user(const char *id)
{
    for (int i = 0; i < fake.nusers; i++) {
        if (strcmp(fake.users[i].id, id) == 0) {
            return &fake.users[i];
        }
    }
    return NULL;
}

static int
hash_password(const char *pw, char *out)
{
    char salt[CRYPT_GENSALT_OUTPUT_SIZE];
    struct crypt_data cd;
    memset(&cd, 0, sizeof cd);
    if (crypt_gensalt_rn("$y$", 0, NULL, 0, salt, sizeof salt) == NULL) {
        return -1;
    }
    const char *h = crypt_r(pw, salt, &cd);
    if (h == NULL || h[0] == '*') {
        return -1;
    }
    snprintf(out, CRYPT_OUTPUT_SIZE, "%s", h);
    return 0;
}

static int
load_users(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    char line[8192];
    while (fgets(line, sizeof line, f) != NULL && fake.nusers < MAX_USERS) {
        char id[64], pw[256], kt[64], kb[8000];
        int n = sscanf(line, "%63s %255s %63s %7999s", id, pw, kt, kb);
        if (n < 2 || id[0] == '#') {
            continue;
        }
        struct user *u = &fake.users[fake.nusers];
        if (login_userid_normalize(id, u->id) != 0 || hash_password(pw, u->hash) != 0) {
            fprintf(stderr, "bad user line: %s", line);
            fclose(f);
            return -1;
        }
        if (n == 4) {
            snprintf(u->ktype, sizeof u->ktype, "%s", kt);
            u->kb64 = strdup(kb);
        }
        fake.nusers++;
    }
    fclose(f);
    return hash_password("no such user", fake.dummy);
}

/* ---- authentication: passwords on worker threads ----------------------------- */

static void *
worker(void *arg)
{
    struct crypt_data *cd = calloc(1, sizeof *cd);
    for (;;) {
        pthread_mutex_lock(&fake.lock);
        while (fake.jobs == NULL && !fake.stop) {
            pthread_cond_wait(&fake.cond, &fake.lock);
        }
        struct job *j = fake.jobs;
        if (j == NULL) {
            pthread_mutex_unlock(&fake.lock);
            break;
        }
        fake.jobs = j->next;
        if (fake.jobs == NULL) {
            fake.jobs_tail = &fake.jobs;
        }
        pthread_mutex_unlock(&fake.lock);
        struct user *u = find_user(j->user);
        const char *want = u ? u->hash : fake.dummy;
        const char *got = crypt_r(j->password, want, cd);
        int ok = 0;
        if (got != NULL && strlen(got) == strlen(want)) {
            unsigned char diff = 0;
            for (size_t i = 0; i < strlen(want); i++) {
                diff |= (unsigned char)(got[i] ^ want[i]);
            }
            ok = diff == 0 && u != NULL;
        }
        explicit_bzero(j->password, sizeof j->password);
        login_auth_done(j->auth, ok ? LOGIN_AUTH_OK : LOGIN_AUTH_DENY);
        free(j);
    }
    free(cd);
    return NULL;
}

static void
be_auth_password(void *op, struct login_auth *auth, const char *userid, const char *password)
{
    struct job *j = calloc(1, sizeof *j);
    if (j == NULL) {
        login_auth_done(auth, LOGIN_AUTH_DENY);
        return;
    }
    j->auth = auth;
    snprintf(j->user, sizeof j->user, "%s", userid);
    snprintf(j->password, sizeof j->password, "%s", password);
    pthread_mutex_lock(&fake.lock);
    *fake.jobs_tail = j;
    fake.jobs_tail = &j->next;
    pthread_cond_signal(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
}

static void
be_auth_pubkey(void *op, struct login_auth *auth, const char *userid, const char *ktype,
               const char *kb64)
{
    struct user *u = find_user(userid);
    int ok = u != NULL && u->kb64 != NULL && login_pubkey_equal(u->ktype, u->kb64, ktype, kb64);
    login_auth_done(auth, ok ? LOGIN_AUTH_OK : LOGIN_AUTH_DENY); /* answered at once */
}

static void
be_log(void *op, enum login_log_level level, const char *msg)
{
    static const char *const names[] = {"DEBUG", "INFO", "NOTICE", "WARNING", "ERROR"};
    logline("LOG %s %s", names[level], msg);
}

/* ---- output helpers ------------------------------------------------------------ */

static void
say(struct login_session *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof buf - 1) {
        n = sizeof buf - 1;
    }
    if (login_write(s, buf, (size_t)n) < n) {
        logline("EVENT SHORTWRITE %s", login_session_userid(s));
    }
}

/* Continue BIG and SPAM output until the queue is full. */
static void
pump_output(struct login_session *s)
{
    struct fsess *f = login_session_data(s);
    static const char pattern[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ\n";
    char buf[4096];
    while (f->big_left > 0) {
        size_t n = f->big_left < (long)sizeof buf ? (size_t)f->big_left : sizeof buf;
        for (size_t i = 0; i < n; i++) {
            buf[i] = pattern[i % (sizeof pattern - 1)];
        }
        ssize_t w = login_write(s, buf, n);
        if (w < 0) {
            if (w == -EAGAIN) {
                f->eagain++;
            }
            return;
        }
        f->big_left -= w;
        if (f->big_left == 0) {
            logline("EVENT BIGDONE %s eagain=%ld", login_session_userid(s), f->eagain);
            login_exec_finish(s, 0);
        }
    }
    while (f->spam_next < f->spam_end) {
        int n = snprintf(buf, sizeof buf, "LINE %d\n", f->spam_next);
        ssize_t w = login_write(s, buf, (size_t)n);
        if (w == -EAGAIN) {
            f->eagain++;
            return;
        }
        if (w < n) {
            return;
        }
        f->spam_next++;
        if (f->spam_next == f->spam_end) {
            logline("EVENT SPAMDONE %s eagain=%ld", login_session_userid(s), f->eagain);
        }
    }
}

static void
be_writable(void *op, struct login_session *s)
{
    struct fsess *f = login_session_data(s);
    if (f->cat_blocked) {
        f->cat_blocked = 0;
        login_input_resume(s);
    }
    pump_output(s);
}

static void barrier_leave(struct login_session *s);

/* ---- consoles ------------------------------------------------------------------ */

static int
be_console_open(void *op, struct login_session *s, const struct login_term *t)
{
    struct fsess *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -ENOMEM;
    }
    f->user = find_user(login_session_userid(s));
    f->cols = t->cols;
    f->rows = t->rows;
    login_session_set_data(s, f);
    pthread_mutex_lock(&fake.lock);
    struct login_session *old = f->user ? f->user->console : NULL;
    if (f->user != NULL) {
        f->user->console = s;
        login_session_hold(s);
    }
    pthread_mutex_unlock(&fake.lock);
    if (old != NULL) {
        login_close(old, "Logon from another terminal: this session is taken over.\n");
        login_session_release(old);
        logline("EVENT TAKEOVER %s", login_session_userid(s));
    }
    time_t now = time(NULL);
    char when[64];
    strftime(when, sizeof when, "%H:%M:%S %Y-%m-%d", localtime(&now));
    say(s, "VM/RV FAKE BACKEND ONLINE\nLOGON AT %s USER %s TERM %s %dx%d PTY %d\n", when,
        login_session_userid(s), t->term, t->cols, t->rows, t->pty);
    login_console_prompt(s, "fake> ", 0);
    logline("EVENT CONSOLE %s pty=%d", login_session_userid(s), t->pty);
    return 0;
}

static int
be_console_line(void *op, struct login_session *s, const char *line, size_t len)
{
    struct fsess *f = login_session_data(s);
    char cmd[LOGIN_LINE_MAX + 1];
    memcpy(cmd, line, len);
    cmd[len] = '\0';
    if (f->secret_next) {
        f->secret_next = 0;
        say(s, "SECRET len=%zu\n", len);
        explicit_bzero(cmd, len);
        return 0;
    }
    int n = 0;
    if (strcmp(cmd, "PASSWORD") == 0) {
        f->secret_next = 1;
        login_console_prompt(s, "Password:", LOGIN_INPUT_MASKED);
    } else if (strcmp(cmd, "SIZE") == 0) {
        say(s, "COLS=%d ROWS=%d\n", f->cols, f->rows);
    } else if (sscanf(cmd, "WIDE %d", &n) == 1 && n > 0 && n < 2000) {
        char buf[2048];
        for (int i = 0; i < n; i++) {
            buf[i] = (char)('0' + i % 10);
        }
        buf[n] = '\n';
        login_write(s, buf, (size_t)n + 1);
    } else if (sscanf(cmd, "SPAM %d", &n) == 1 && n > 0) {
        f->spam_next = 0;
        f->spam_end = n;
        pump_output(s);
    } else if (strcmp(cmd, "LOGOFF") == 0) {
        login_close(s, "LOGOFF AT once\n");
    } else if (len > 0) {
        say(s, "ECHO: %s\n", cmd);
    }
    return 0;
}

static void
be_attention(void *op, struct login_session *s)
{
    logline("EVENT ATTENTION %s", login_session_userid(s));
    say(s, "ATTENTION\n");
}

static void
be_window(void *op, struct login_session *s, int cols, int rows)
{
    struct fsess *f = login_session_data(s);
    f->cols = cols;
    f->rows = rows;
    logline("EVENT WINDOW %s %dx%d", login_session_userid(s), cols, rows);
}

static void
be_disconnect(void *op, struct login_session *s, enum login_disc_reason why)
{
    static const char *const names[] = {"", "hangup", "idle", "closed", "shutdown", "error"};
    struct fsess *f = login_session_data(s);
    if (f != NULL && f->barrier) {
        barrier_leave(s);
    }
    logline("EVENT DISCONNECT %s %s %s", login_session_userid(s), f && f->exec ? "exec" : "console",
            names[why]);
    if (f != NULL && f->user != NULL && !f->exec) {
        pthread_mutex_lock(&fake.lock);
        int mine = f->user->console == s;
        if (mine) {
            f->user->console = NULL;
        }
        pthread_mutex_unlock(&fake.lock);
        if (mine) {
            login_session_release(s);
        }
    }
    free(f);
    login_session_set_data(s, NULL);
    login_session_release(s);
}

/* ---- commands ------------------------------------------------------------------ */

static int
count_fds(void)
{
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) {
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        n += e->d_name[0] != '.';
    }
    closedir(d);
    return n - 1; /* the directory itself */
}

/* BARRIER n tag: wait until n sessions wait here at once, then all print
 * their tag and finish: proves that n sessions are open concurrently. */
static void
barrier_enter(struct login_session *s, int n)
{
    struct fsess *f = login_session_data(s);
    struct login_session *go[2048];
    int ngo = 0;
    pthread_mutex_lock(&fake.lock);
    if (fake.nbarrier < 2048) {
        f->barrier = 1;
        login_session_hold(s);
        fake.barrier[fake.nbarrier++] = s;
    }
    if (fake.nbarrier >= n) {
        ngo = fake.nbarrier;
        memcpy(go, fake.barrier, sizeof go[0] * (size_t)ngo);
        fake.nbarrier = 0;
    }
    pthread_mutex_unlock(&fake.lock);
    if (ngo > 0) {
        logline("EVENT BARRIER %d sessions", ngo);
    }
    for (int i = 0; i < ngo; i++) {
        /* other sessions' fsess belong to other threads: only login_* calls */
        login_write(go[i], "released\n", 9);
        login_exec_finish(go[i], 0);
        login_session_release(go[i]);
    }
}

static void
barrier_leave(struct login_session *s)
{
    pthread_mutex_lock(&fake.lock);
    for (int i = 0; i < fake.nbarrier; i++) {
        if (fake.barrier[i] == s) {
            fake.barrier[i] = fake.barrier[--fake.nbarrier];
            pthread_mutex_unlock(&fake.lock);
            login_session_release(s);
            return;
        }
    }
    pthread_mutex_unlock(&fake.lock);
}

static int
be_exec_start(void *op, struct login_session *s, const char *command)
{
    struct fsess *f = calloc(1, sizeof *f);
    if (f == NULL) {
        return -ENOMEM;
    }
    f->exec = 1;
    f->user = find_user(login_session_userid(s));
    login_session_set_data(s, f);
    logline("EVENT EXEC %s %s", login_session_userid(s), command);
    int n;
    long big;
    if (strncmp(command, "ECHO ", 5) == 0) {
        say(s, "%s\n", command + 5);
        login_exec_finish(s, 0);
    } else if (strncmp(command, "ERR ", 4) == 0) {
        login_write_err(s, command + 4, strlen(command + 4));
        login_write_err(s, "\n", 1);
        login_exec_finish(s, 1);
    } else if (sscanf(command, "RC %d", &n) == 1) {
        login_exec_finish(s, n);
    } else if (strcmp(command, "CAT") == 0) {
        f->cat = 1;
    } else if (sscanf(command, "BARRIER %d %63s", &n, f->tag) == 2) {
        say(s, "%s\n", f->tag);
        barrier_enter(s, n);
    } else if (sscanf(command, "BIG %ld", &big) == 1 && big >= 0) {
        f->big_left = big;
        if (big == 0) {
            login_exec_finish(s, 0);
        }
        pump_output(s);
    } else if (strcmp(command, "STATS") == 0) {
        struct login_stats st;
        login_server_stats(fake.srv, &st);
        say(s, "connections=%d unauthenticated=%d sessions=%d pending=%d fds=%d\n",
            st.connections, st.unauthenticated, st.sessions, st.auth_pending, count_fds());
        login_exec_finish(s, 0);
    } else if (strcmp(command, "QUERY NAMES") == 0) {
        pthread_mutex_lock(&fake.lock);
        for (int i = 0; i < fake.nusers; i++) {
            if (fake.users[i].console != NULL) {
                say(s, "%s\n", fake.users[i].id);
            }
        }
        pthread_mutex_unlock(&fake.lock);
        login_exec_finish(s, 0);
    } else {
        login_write_err(s, "unknown command\n", 16);
        login_exec_finish(s, 1);
    }
    return 0;
}

static size_t
be_exec_input(void *op, struct login_session *s, const void *data, size_t len)
{
    struct fsess *f = login_session_data(s);
    if (!f->cat) {
        return len;
    }
    ssize_t w = login_write(s, data, len);
    if (w == -EAGAIN) {
        f->eagain++;
        f->cat_blocked = 1;
        return 0;
    }
    if (w < 0) {
        return len; /* gone: drop */
    }
    if ((size_t)w < len) {
        f->cat_blocked = 1;
    }
    return (size_t)w;
}

static void
be_exec_eof(void *op, struct login_session *s)
{
    struct fsess *f = login_session_data(s);
    if (f->cat) {
        logline("EVENT CATDONE %s eagain=%ld", login_session_userid(s), f->eagain);
        login_exec_finish(s, 0);
    }
}

/* ---- configuration and main ---------------------------------------------------- */

static const struct option_row {
    const char *name;
    size_t off;
    char type; /* i int, u unsigned, z size_t */
} options[] = {
    {"threads", offsetof(struct login_config, threads), 'i'},
    {"max_connections", offsetof(struct login_config, max_connections), 'i'},
    {"max_unauth", offsetof(struct login_config, max_unauth), 'i'},
    {"max_unauth_per_source", offsetof(struct login_config, max_unauth_per_source), 'i'},
    {"max_sessions_per_user", offsetof(struct login_config, max_sessions_per_user), 'i'},
    {"max_auth_tries", offsetof(struct login_config, max_auth_tries), 'i'},
    {"max_channels", offsetof(struct login_config, max_channels), 'i'},
    {"empty_timeout_ms", offsetof(struct login_config, empty_timeout_ms), 'u'},
    {"auth_timeout_ms", offsetof(struct login_config, auth_timeout_ms), 'u'},
    {"idle_timeout_ms", offsetof(struct login_config, idle_timeout_ms), 'u'},
    {"fail_floor_ms", offsetof(struct login_config, fail_floor_ms), 'u'},
    {"fail_delay_ms", offsetof(struct login_config, fail_delay_ms), 'u'},
    {"fail_delay_max_ms", offsetof(struct login_config, fail_delay_max_ms), 'u'},
    {"fail_forget_ms", offsetof(struct login_config, fail_forget_ms), 'u'},
    {"close_grace_ms", offsetof(struct login_config, close_grace_ms), 'u'},
    {"output_limit", offsetof(struct login_config, output_limit), 'z'},
};

static int
set_option(struct login_config *cfg, const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (eq == NULL) {
        return -1;
    }
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++) {
        const struct option_row *o = &options[i];
        if (strlen(o->name) == (size_t)(eq - arg) && strncmp(o->name, arg, eq - arg) == 0) {
            char *p = (char *)cfg + o->off;
            unsigned long v = strtoul(eq + 1, NULL, 10);
            if (o->type == 'i') {
                *(int *)p = (int)v;
            } else if (o->type == 'u') {
                *(unsigned *)p = (unsigned)v;
            } else {
                *(size_t *)p = v;
            }
            return 0;
        }
    }
    return -1;
}

int
main(int argc, char **argv)
{
    struct login_config cfg;
    login_config_init(&cfg);
    const char *users = NULL, *logpath = NULL;
    int opt;
    while ((opt = getopt(argc, argv, "k:u:p:a:o:l:")) != -1) {
        switch (opt) {
        case 'k': cfg.hostkey_dir = optarg; break;
        case 'u': users = optarg; break;
        case 'p': cfg.port = atoi(optarg); break;
        case 'a': cfg.address = optarg; break;
        case 'l': logpath = optarg; break;
        case 'o':
            if (set_option(&cfg, optarg) != 0) {
                fprintf(stderr, "login-fake: unknown option %s\n", optarg);
                return 2;
            }
            break;
        default:
            fprintf(stderr, "usage: login-fake -k KEYDIR -u USERS [-p PORT] [-o name=value]\n");
            return 2;
        }
    }
    if (cfg.hostkey_dir == NULL || users == NULL) {
        fprintf(stderr, "usage: login-fake -k KEYDIR -u USERS [-p PORT] [-o name=value]\n");
        return 2;
    }
    fake.log = logpath ? fopen(logpath, "a") : stderr;
    if (fake.log == NULL) {
        perror(logpath);
        return 1;
    }
    fake.jobs_tail = &fake.jobs;
    if (load_users(users) != 0) {
        return 1;
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max; /* hundreds of sessions need the descriptors */
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    pthread_t workers[2];
    for (int i = 0; i < 2; i++) {
        pthread_create(&workers[i], NULL, worker, NULL);
    }
    struct login_backend be = {
        .log = be_log,
        .auth_password = be_auth_password,
        .auth_pubkey = be_auth_pubkey,
        .console_open = be_console_open,
        .console_line = be_console_line,
        .attention = be_attention,
        .window = be_window,
        .exec_start = be_exec_start,
        .exec_input = be_exec_input,
        .exec_eof = be_exec_eof,
        .writable = be_writable,
        .disconnect = be_disconnect,
    };
    char err[256];
    int rc = login_server_start(&cfg, &be, &fake.srv, err, sizeof err);
    if (rc != 0) {
        fprintf(stderr, "login-fake: %s\n", err);
        return 1;
    }
    printf("READY port=%d\n", login_server_port(fake.srv));
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    logline("EVENT STOP signal=%d", sig);
    login_server_stop(fake.srv);
    pthread_mutex_lock(&fake.lock);
    fake.stop = 1;
    pthread_cond_broadcast(&fake.cond);
    pthread_mutex_unlock(&fake.lock);
    for (int i = 0; i < 2; i++) {
        pthread_join(workers[i], NULL);
    }
    for (int i = 0; i < fake.nusers; i++) {
        free(fake.users[i].kb64);
    }
    logline("EVENT STOPPED");
    if (fake.log != stderr) {
        fclose(fake.log);
    }
    return 0;
}
