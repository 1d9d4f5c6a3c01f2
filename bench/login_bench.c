// SPDX-License-Identifier: MIT
/*
 * bench/login_bench.c - figures of the SSH logon service against a running
 * `vmrv ipl` (make bench runs it through bench/login_run.sh, which makes the
 * users and starts the system). The client is libssh's client API in this
 * one process, one thread per session, so the figures are the server's,
 * not those of 200 ssh processes. Both sides share the machine's cores.
 *
 *   login_bench PORT KEYFILE PASSWORD HASH PREFIX NUSERS
 *
 * Users PREFIX1 .. PREFIXn (n >= 250) log on with the private key KEYFILE
 * or with PASSWORD (HASH is its yescrypt hash, timed alone). Measured:
 *   - logon latency, TCP connect to CMS's first "Ready;", public key:
 *     one at a time; 200 at once (at most LB_INFLIGHT in key exchange and
 *     authentication together, under the server's default limit of 128
 *     unauthenticated connections); one at a time while 200 sit at Ready;
 *   - command round trip (QUERY CMSLEVEL typed, to the next "Ready;"):
 *     one session while 199 others sit at Ready, and all 200 at once;
 *   - password logons per second (connect, key exchange, password), with
 *     the cost of one yescrypt hash on its own.
 * Each client binds its own 127.0.0.x source address so that the
 * per-source limit on unauthenticated connections (16) does not apply.
 * Prints a table, then lines "BENCH name value unit".
 */
#include <crypt.h>
#include <libssh/libssh.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define LB_CONC 200     /* concurrent sessions */
#define LB_ALONE 40     /* logons one at a time */
#define LB_INFLIGHT 100 /* logons in key exchange/authentication at once */
#define LB_CMDS_ONE 200 /* round trips of the one busy session */
#define LB_CMDS_ALL 10  /* round trips of each of the 200 */
#define LB_PW_SECONDS 4
#define LB_PW_THREADS 4
#define LB_TIMEOUT_MS 60000

static int lb_port;
static const char *lb_keyfile, *lb_password, *lb_prefix;

struct conn {
    ssh_session s;
    ssh_channel ch;
    char buf[16384];
    size_t len;
};

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* CPU time of the server (LOGIN_BENCH_SERVER_PID, set by login_run.sh),
 * ms; -1 when unknown. */
static double
server_cpu_ms(void)
{
    const char *pid = getenv("LOGIN_BENCH_SERVER_PID");
    char path[64], buf[1024];
    if (pid == NULL || *pid == '\0') {
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%s/stat", pid);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return -1;
    }
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    /* fields after the command's closing parenthesis: 3 state ... 14 utime 15 stime */
    const char *p = strrchr(buf, ')');
    unsigned long long ut, st;
    if (p == NULL || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut,
                            &st) != 2) {
        return -1;
    }
    return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

/* CPU time of this process (the client side), ms. */
static double
self_cpu_ms(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static void
conn_free(struct conn *c)
{
    if (c->ch) {
        ssh_channel_free(c->ch);
    }
    if (c->s) {
        ssh_disconnect(c->s);
        ssh_free(c->s);
    }
    c->ch = NULL;
    c->s = NULL;
}

/* Connect and authenticate (key when key != NULL, else the password). */
static int
conn_auth(struct conn *c, int idx, ssh_key key)
{
    char user[16], src[32];
    snprintf(user, sizeof user, "%s%d", lb_prefix, idx);
    snprintf(src, sizeof src, "127.0.%d.%d", 1 + idx / 250, 1 + idx % 250);
    memset(c, 0, sizeof *c);
    c->s = ssh_new();
    if (c->s == NULL) {
        return -1;
    }
    bool no = false;
    int port = lb_port, strict = 0;
    long tmo = LB_TIMEOUT_MS / 1000;
    ssh_options_set(c->s, SSH_OPTIONS_PROCESS_CONFIG, &no);
    ssh_options_set(c->s, SSH_OPTIONS_HOST, "127.0.0.1");
    ssh_options_set(c->s, SSH_OPTIONS_PORT, &port);
    ssh_options_set(c->s, SSH_OPTIONS_USER, user);
    ssh_options_set(c->s, SSH_OPTIONS_BINDADDR, src);
    ssh_options_set(c->s, SSH_OPTIONS_STRICTHOSTKEYCHECK, &strict);
    ssh_options_set(c->s, SSH_OPTIONS_KNOWNHOSTS, "/dev/null");
    ssh_options_set(c->s, SSH_OPTIONS_TIMEOUT, &tmo);
    int nodelay = 1; /* as OpenSSH's client does for interactive sessions */
    ssh_options_set(c->s, SSH_OPTIONS_NODELAY, &nodelay);
    if (ssh_connect(c->s) != SSH_OK) {
        fprintf(stderr, "login_bench: %s: connect: %s\n", user, ssh_get_error(c->s));
        return -1;
    }
    int rc = key ? ssh_userauth_publickey(c->s, NULL, key)
                 : ssh_userauth_password(c->s, NULL, lb_password);
    if (rc != SSH_AUTH_SUCCESS) {
        fprintf(stderr, "login_bench: %s: authentication: %s\n", user, ssh_get_error(c->s));
        return -1;
    }
    return 0;
}

/* Read until text appears; drop everything up to its end. */
static int
conn_wait(struct conn *c, const char *text)
{
    double end = now_ms() + LB_TIMEOUT_MS;
    for (;;) {
        c->buf[c->len] = '\0';
        char *hit = strstr(c->buf, text);
        if (hit) {
            size_t used = (size_t)(hit - c->buf) + strlen(text);
            memmove(c->buf, c->buf + used, c->len - used);
            c->len -= used;
            return 0;
        }
        if (c->len > sizeof c->buf / 2) { /* keep the tail that may hold a part of text */
            size_t keep = strlen(text);
            memmove(c->buf, c->buf + c->len - keep, keep);
            c->len = keep;
        }
        int left = (int)(end - now_ms());
        if (left <= 0) {
            return -1;
        }
        int n = ssh_channel_read_timeout(c->ch, c->buf + c->len, sizeof c->buf - 1 - c->len, 0,
                                         left < 1000 ? left : 1000);
        if (n < 0 || (n == 0 && ssh_channel_is_eof(c->ch))) {
            return -1;
        }
        c->len += (size_t)n;
    }
}

/* Where the time of the logons one at a time goes (sums, ms). */
enum { ST_AUTH, ST_CHANNEL, ST_SHELL, ST_LOGON_AT, ST_READY, ST_N };
static const char *const stage_names[ST_N] = {
    "connect, key exchange, key auth", "channel open", "pty and shell requests",
    "to the LOGON AT line", "to CMS's Ready",
};
static double stage_sum[ST_N];
static int stage_n;

/* A console logon: connect to CMS's first Ready. *ms gets the time; the
 * stages are summed when stages != 0. */
static int
conn_logon_staged(struct conn *c, int idx, ssh_key key, double *ms, int stages)
{
    double t[ST_N + 1];
    t[0] = now_ms();
    if (conn_auth(c, idx, key) != 0) {
        return -1;
    }
    t[1] = now_ms();
    c->ch = ssh_channel_new(c->s);
    if (c->ch == NULL || ssh_channel_open_session(c->ch) != SSH_OK) {
        goto fail;
    }
    t[2] = now_ms();
    if (ssh_channel_request_pty_size(c->ch, "xterm", 80, 24) != SSH_OK ||
        ssh_channel_request_shell(c->ch) != SSH_OK) {
        goto fail;
    }
    t[3] = now_ms();
    if (conn_wait(c, "LOGON AT") != 0) {
        goto fail;
    }
    t[4] = now_ms();
    if (conn_wait(c, "Ready;") != 0) {
        goto fail;
    }
    t[5] = now_ms();
    *ms = t[5] - t[0];
    if (stages) {
        for (int i = 0; i < ST_N; i++) {
            stage_sum[i] += t[i + 1] - t[i];
        }
        stage_n++;
    }
    return 0;
fail:
    fprintf(stderr, "login_bench: session %d: no Ready after logon\n", idx);
    return -1;
}

static int
conn_logon(struct conn *c, int idx, ssh_key key, double *ms)
{
    return conn_logon_staged(c, idx, key, ms, 0);
}

/* A line in, to the next Ready. */
static int
conn_cmd(struct conn *c, const char *line, double *ms)
{
    c->len = 0;
    double t0 = now_ms();
    if (ssh_channel_write(c->ch, line, (uint32_t)strlen(line)) < 0 || conn_wait(c, "Ready;") != 0) {
        return -1;
    }
    *ms = now_ms() - t0;
    return 0;
}

static void
conn_logoff(struct conn *c)
{
    if (c->ch) {
        ssh_channel_write(c->ch, "LOGOFF\r", 7);
        (void)conn_wait(c, "LOGOFF AT");
    }
    conn_free(c);
}

static int
cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* p-th percentile (0..100) of v[n], sorting v. */
static double
pct(double *v, int n, double p)
{
    if (n == 0) {
        return 0;
    }
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    int i = (int)(p / 100.0 * n + 0.999999) - 1;
    return v[i < 0 ? 0 : i >= n ? n - 1 : i];
}

static ssh_key
load_key(void)
{
    ssh_key k = NULL;
    if (ssh_pki_import_privkey_file(lb_keyfile, NULL, NULL, NULL, &k) != SSH_OK) {
        fprintf(stderr, "login_bench: cannot read %s\n", lb_keyfile);
        exit(1);
    }
    return k;
}

/* ---- 200 sessions, one thread each ---------------------------------------- */

static pthread_barrier_t go_logon, done_logon, go_cmds, done_cmds, go_off;
static sem_t inflight;
static struct conn conns[LB_CONC];
static double t_logon[LB_CONC], t_cmd[LB_CONC * LB_CMDS_ALL];
static atomic_int failures;

static void *
session_main(void *arg)
{
    int i = (int)(long)arg;
    ssh_key key = load_key();
    pthread_barrier_wait(&go_logon);
    sem_wait(&inflight);
    double t0 = now_ms(), ms = 0;
    if (conn_auth(&conns[i], i + 1, key) == 0) {
        sem_post(&inflight);
        struct conn *c = &conns[i];
        c->ch = ssh_channel_new(c->s);
        if (c->ch && ssh_channel_open_session(c->ch) == SSH_OK &&
            ssh_channel_request_pty_size(c->ch, "xterm", 80, 24) == SSH_OK &&
            ssh_channel_request_shell(c->ch) == SSH_OK && conn_wait(c, "Ready;") == 0) {
            ms = now_ms() - t0;
        } else {
            atomic_fetch_add(&failures, 1);
        }
    } else {
        sem_post(&inflight);
        atomic_fetch_add(&failures, 1);
    }
    t_logon[i] = ms;
    pthread_barrier_wait(&done_logon);
    /* the main thread measures one session here */
    pthread_barrier_wait(&go_cmds);
    for (int k = 0; k < LB_CMDS_ALL; k++) {
        double m = 0;
        if (conns[i].ch && conn_cmd(&conns[i], "QUERY CMSLEVEL\r", &m) != 0) {
            atomic_fetch_add(&failures, 1);
        }
        t_cmd[i * LB_CMDS_ALL + k] = m;
    }
    pthread_barrier_wait(&done_cmds);
    pthread_barrier_wait(&go_off);
    conn_logoff(&conns[i]);
    ssh_key_free(key);
    return NULL;
}

/* ---- password logons ------------------------------------------------------ */

static atomic_int pw_ok, pw_bad;
static atomic_int pw_stop;

static void *
pw_main(void *arg)
{
    int idx = (int)(long)arg;
    while (!atomic_load(&pw_stop)) {
        struct conn c;
        if (conn_auth(&c, idx, NULL) == 0) {
            atomic_fetch_add(&pw_ok, 1);
        } else {
            atomic_fetch_add(&pw_bad, 1);
        }
        conn_free(&c);
    }
    return NULL;
}

static double
hash_ms(const char *hash)
{
    struct crypt_data cd;
    int n = 20;
    double t0 = now_ms();
    for (int i = 0; i < n; i++) {
        memset(&cd, 0, sizeof cd);
        const char *h = crypt_r(lb_password, hash, &cd);
        if (h == NULL || strcmp(h, hash) != 0) {
            fprintf(stderr, "login_bench: the password does not match its hash\n");
            exit(1);
        }
    }
    return (now_ms() - t0) / n;
}

int
main(int argc, char **argv)
{
    if (argc != 7) {
        fprintf(stderr, "usage: login_bench PORT KEYFILE PASSWORD HASH PREFIX NUSERS\n");
        return 2;
    }
    lb_port = atoi(argv[1]);
    lb_keyfile = argv[2];
    lb_password = argv[3];
    const char *hash = argv[4];
    lb_prefix = argv[5];
    int nusers = atoi(argv[6]);
    if (nusers < LB_CONC + 50) {
        fprintf(stderr, "login_bench: need at least %d users\n", LB_CONC + 50);
        return 2;
    }
    ssh_init();
    ssh_key key = load_key();

    /* 1. logons one at a time, nothing else running */
    double alone[LB_ALONE];
    for (int i = 0; i < LB_ALONE; i++) {
        struct conn c;
        if (conn_logon_staged(&c, i + 1, key, &alone[i], 1) != 0) {
            return 1;
        }
        conn_logoff(&c);
    }

    /* 2. 200 logons at once, then round trips */
    pthread_barrier_init(&go_logon, NULL, LB_CONC + 1);
    pthread_barrier_init(&done_logon, NULL, LB_CONC + 1);
    pthread_barrier_init(&go_cmds, NULL, LB_CONC + 1);
    pthread_barrier_init(&done_cmds, NULL, LB_CONC + 1);
    pthread_barrier_init(&go_off, NULL, LB_CONC + 1);
    sem_init(&inflight, 0, LB_INFLIGHT);
    pthread_t tid[LB_CONC];
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    for (long i = 0; i < LB_CONC; i++) {
        if (pthread_create(&tid[i], &attr, session_main, (void *)i) != 0) {
            fprintf(stderr, "login_bench: pthread_create failed\n");
            return 1;
        }
    }
    double t_burst = now_ms(), cpu_burst = self_cpu_ms(), srv_burst = server_cpu_ms();
    pthread_barrier_wait(&go_logon);
    pthread_barrier_wait(&done_logon);
    t_burst = now_ms() - t_burst;
    cpu_burst = self_cpu_ms() - cpu_burst;
    srv_burst = srv_burst < 0 ? -1 : server_cpu_ms() - srv_burst;
    int burst_failed = atomic_load(&failures);

    /* 2a. one session busy, 199 idle at Ready */
    double one[LB_CMDS_ONE];
    for (int k = 0; k < LB_CMDS_ONE; k++) {
        if (conns[0].ch == NULL || conn_cmd(&conns[0], "QUERY CMSLEVEL\r", &one[k]) != 0) {
            fprintf(stderr, "login_bench: round trip failed\n");
            return 1;
        }
    }
    /* 2b. a logon one at a time while the 200 sit at Ready */
    double loaded[LB_ALONE];
    for (int i = 0; i < LB_ALONE; i++) {
        struct conn c;
        if (conn_logon(&c, LB_CONC + 1 + i, key, &loaded[i]) != 0) {
            return 1;
        }
        conn_logoff(&c);
    }
    /* 2c. all 200 typing at once */
    double t_all = now_ms();
    pthread_barrier_wait(&go_cmds);
    pthread_barrier_wait(&done_cmds);
    t_all = now_ms() - t_all;
    pthread_barrier_wait(&go_off);
    for (int i = 0; i < LB_CONC; i++) {
        pthread_join(tid[i], NULL);
    }
    int failed = atomic_load(&failures);

    /* 3. password logons per second, and the hash alone */
    double h = hash_ms(hash);
    pthread_t pw[LB_PW_THREADS];
    double t_pw = now_ms();
    for (long i = 0; i < LB_PW_THREADS; i++) {
        pthread_create(&pw[i], NULL, pw_main, (void *)(LB_CONC + LB_ALONE + 1 + i));
    }
    sleep(LB_PW_SECONDS);
    atomic_store(&pw_stop, 1);
    for (int i = 0; i < LB_PW_THREADS; i++) {
        pthread_join(pw[i], NULL);
    }
    t_pw = now_ms() - t_pw;
    double pw_rate = atomic_load(&pw_ok) * 1000.0 / t_pw;

    double a50 = pct(alone, LB_ALONE, 50), a99 = pct(alone, LB_ALONE, 99);
    double b50 = pct(t_logon, LB_CONC, 50), b99 = pct(t_logon, LB_CONC, 99);
    double l50 = pct(loaded, LB_ALONE, 50), l99 = pct(loaded, LB_ALONE, 99);
    double o50 = pct(one, LB_CMDS_ONE, 50), o99 = pct(one, LB_CMDS_ONE, 99);
    int nall = LB_CONC * LB_CMDS_ALL;
    double c50 = pct(t_cmd, nall, 50), c99 = pct(t_cmd, nall, 99);

    printf("SSH logon service (libssh client in-process, key logons to CMS's Ready)\n");
    printf("  %-52s %9s %9s\n", "", "p50 ms", "p99 ms");
    printf("  %-52s %9.2f %9.2f\n", "logon, one at a time", a50, a99);
    printf("  %-52s %9.2f %9.2f\n", "logon, 200 at once (<= 100 authenticating)", b50, b99);
    printf("  %-52s %9.2f %9.2f\n", "logon, one at a time, 200 sessions at Ready", l50, l99);
    printf("  %-52s %9.2f %9.2f\n", "QUERY CMSLEVEL round trip, 1 busy + 199 idle", o50, o99);
    printf("  %-52s %9.2f %9.2f\n", "QUERY CMSLEVEL round trip, all 200 typing", c50, c99);
    printf("  200 logons at once took %.0f ms (the client used %.0f ms of CPU in it); all 200 x %d\n"
           "  commands %.0f ms (%.0f/s)\n",
           t_burst, cpu_burst, LB_CMDS_ALL, t_all, nall * 1000.0 / t_all);
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (srv_burst >= 0) {
        /* However the work is ordered, N logons that each need S ms of
         * server and C ms of client CPU cannot all be done before
         * N * (S + C) / cores: the floor under the burst's length here. */
        printf("  CPU per logon in the burst: server %.2f ms, client %.2f ms; on %ld cores the\n"
               "  %d cannot all reach Ready in less than %.0f ms (the client's part alone: %.0f ms)\n",
               srv_burst / LB_CONC, cpu_burst / LB_CONC, ncpu, LB_CONC,
               (srv_burst + cpu_burst) / (double)(ncpu > 0 ? ncpu : 1),
               cpu_burst / (double)(ncpu > 0 ? ncpu : 1));
    }
    printf("  a logon one at a time, mean of %d:", stage_n);
    for (int i = 0; i < ST_N; i++) {
        printf("%s %s %.2f ms", i ? ";" : "", stage_names[i], stage_sum[i] / stage_n);
    }
    printf("\n");
    printf("  password logons: %.1f/s with %d client threads (%d refused); one yescrypt hash "
           "%.2f ms\n",
           pw_rate, LB_PW_THREADS, atomic_load(&pw_bad), h);
    printf("  failures: %d in the burst, %d in all\n", burst_failed, failed);
    printf("BENCH login_logon_p50 %.2f ms\n", a50);
    printf("BENCH login_logon_p99 %.2f ms\n", a99);
    printf("BENCH login_logon_200_p50 %.2f ms\n", b50);
    printf("BENCH login_logon_200_p99 %.2f ms\n", b99);
    if (srv_burst >= 0) {
        printf("BENCH login_server_cpu_per_logon %.3f ms\n", srv_burst / LB_CONC);
        printf("BENCH login_client_cpu_per_logon %.3f ms\n", cpu_burst / LB_CONC);
        printf("BENCH login_logon_200_floor %.1f ms\n",
               (srv_burst + cpu_burst) / (double)(ncpu > 0 ? ncpu : 1));
        printf("BENCH login_logon_200_client_floor %.1f ms\n",
               cpu_burst / (double)(ncpu > 0 ? ncpu : 1));
    }
    printf("BENCH login_logon_loaded_p50 %.2f ms\n", l50);
    printf("BENCH login_logon_loaded_p99 %.2f ms\n", l99);
    printf("BENCH login_cmd_rtt_p50 %.3f ms\n", o50);
    printf("BENCH login_cmd_rtt_p99 %.3f ms\n", o99);
    printf("BENCH login_cmd_rtt_all200_p50 %.3f ms\n", c50);
    printf("BENCH login_cmd_rtt_all200_p99 %.3f ms\n", c99);
    printf("BENCH login_password_logons %.1f per_s\n", pw_rate);
    printf("BENCH login_yescrypt_hash %.2f ms\n", h);
    printf("BENCH login_failures %d count\n", failed);
    ssh_key_free(key);
    ssh_finalize();
    return failed ? 1 : 0;
}
