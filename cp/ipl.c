// SPDX-License-Identifier: MIT
/*
 * cp/ipl.c - `vmrv ipl`: the whole system as a service, in the foreground.
 *
 * Start, in this order (each step's failure has its own exit status, see
 * ipl_help):
 *   1. the configuration (-c FILE on top of the built-in defaults), then
 *      --data and --listen on top of it;
 *   2. the data folder: created (0700) and locked, so a second vmrv ipl on
 *      it is refused with the pid of the first; the logs (vmrv.log,
 *      audit.log) are opened in it;
 *   3. the directory: opened (created when missing); an empty one gets the
 *      built-in defaults with generated passwords (shown once on the
 *      terminal, kept for root in DATA/initial-passwords); while any of
 *      those is unchanged only a loopback address may be listened on;
 *   4. the system files (cp/svc_files.c): the CMS nucleus becomes
 *      DATA/systems/CMS.elf, missing minidisk images are made, new A-disks
 *      are formatted, MAINT's 190 gets the S-disk image's files;
 *   5. CP (cp_services_standard, cp_system_create/start), the logon service
 *      (cp/svc_login.c) with its host keys in DATA/ssh, the users with
 *      OPTION AUTOLOG logged on disconnected;
 *   6. one line "vmrv ipl: ready: listening on ADDR port N" (tests wait for
 *      it) and how to log on.
 *
 * Then it waits.  SIGTERM or SIGINT = SHUTDOWN: everyone is logged off
 * cleanly (their LOGOFF lines reach them), the logon service stops, the
 * data folder is unlocked, exit 0.  SIGHUP reopens the logs.  When standard
 * input is a terminal it is the system console: each line typed is a CP
 * command run as OPERATOR (SHUTDOWN from there stops the system too).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cp/datadir.h"
#include "cp/dir.h"
#include "cp/paging.h"
#include "cp/svc.h"
#include "cp/vmrv.h"

enum ipl_exit {
    IPL_OK = 0,
    IPL_FAILED = 1,
    IPL_USAGE = 2,
    IPL_CONFIG = 3,
    IPL_DATADIR = 4,
    IPL_SYSFILES = 5,
    IPL_LISTEN = 6,
};

#define SHUTDOWN_GRACE_MS 15000 /* for users to log off */
#define DRAIN_MS 3000 /* for their last lines to reach them */
#define OPERATOR "OPERATOR"

static const char ipl_help[] =
    "usage: vmrv ipl [-c CONFIG] [--listen ADDR:PORT] [--data DIR] [--cold]\n"
    "\n"
    "Starts VM/RV in the foreground: CP, the users' virtual machines and the SSH\n"
    "logon service.  Users log on with `ssh -p PORT USERID@HOST`.\n"
    "\n"
    "Options:\n"
    "  -c, --config FILE     the configuration (etc/vmrv.conf lists every key with\n"
    "                        its default; without -c the built-in defaults apply)\n"
    "  --listen ADDR:PORT    where the logon service listens (listen_address and\n"
    "                        listen_port): 127.0.0.1:2222, [::1]:2222, or PORT alone;\n"
    "                        port 0 picks a free port\n"
    "  --data DIR            the data folder (data_dir); default $VMRV_DATA, else\n"
    "                        /var/lib/vmrv for root, else ~/.local/share/vmrv\n"
    "  --show-config         print the configuration in effect and exit\n"
    "  --cold                COLD start: discard every spool file (readers,\n"
    "                        punches, printers); without it the spool is kept\n"
    "  -h, --help            show this text\n"
    "\n"
    "The first start in an empty data folder makes the default users (MAINT,\n"
    "OPERATOR, AUTOLOG1, DEMO1, DEMO2) with generated passwords and shows them\n"
    "once; root can read them again in DATA/initial-passwords.  Until every one is\n"
    "changed (vmrv directory change USERID --password ...) only a loopback address\n"
    "is listened on.\n"
    "\n"
    "When ready it prints \"vmrv ipl: ready: listening on ADDR port N\".  SIGTERM\n"
    "(or Ctrl-C) shuts down: every user is logged off cleanly.  SIGHUP reopens\n"
    "vmrv.log and audit.log.  When standard input is a terminal it is the system\n"
    "console: each line is a CP command run as OPERATOR (SHUTDOWN stops).\n"
    "\n"
    "Exit status:\n"
    "  0  shut down cleanly (SIGTERM, SIGINT or SHUTDOWN)\n"
    "  1  failure while running, or users still logged on when shutdown gave up\n"
    "  2  usage error\n"
    "  3  the configuration file is missing or wrong (the line is named)\n"
    "  4  the data folder cannot be made or used, or another vmrv ipl runs on it\n"
    "     (its pid is named)\n"
    "  5  the directory cannot be opened, or the CMS nucleus is nowhere to be found\n"
    "  6  the logon service cannot listen (address in use; a non-loopback address\n"
    "     while the default passwords are unchanged)\n";

struct ipl_opts {
    const char *config;
    const char *listen;
    const char *data;
    bool show_config;
    bool cold; /* --cold: empty the spool */
};

static int sig_pipe[2] = {-1, -1};

static void
on_signal(int sig)
{
    int e = errno;
    if (sig == SIGHUP) {
        cplog_request_reopen();
    }
    char c = sig == SIGHUP ? 'H' : 'T';
    if (write(sig_pipe[1], &c, 1) < 0) {
        /* the pipe is full: a wake-up is pending anyway */
    }
    errno = e;
}

static int
usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "vmrv ipl: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(vmrv ipl --help shows the options)\n");
    return IPL_USAGE;
}

static int
parse_args(int argc, char **argv, struct ipl_opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"listen", required_argument, NULL, 'l'},
        {"data", required_argument, NULL, 'd'},   {"show-config", no_argument, NULL, 's'},
        {"cold", no_argument, NULL, 'C'},         {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    optind = 1;
    opterr = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "+:c:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'l': o->listen = optarg; break;
        case 'd': o->data = optarg; break;
        case 's': o->show_config = true; break;
        case 'C': o->cold = true; break;
        case 'h': fputs(ipl_help, stdout); return -1;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) {
        return usage_error("unexpected argument '%s'", argv[optind]);
    }
    return 0;
}

/* "ADDR:PORT", "[ADDR]:PORT" or "PORT" into the configuration. */
static int
apply_listen(struct cp_config *cfg, const char *s)
{
    char addr[64] = "";
    const char *port = s;
    if (s[0] == '[') {
        const char *close = strchr(s, ']');
        if (!close || close[1] != ':' || (size_t)(close - s - 1) >= sizeof addr) {
            return -1;
        }
        memcpy(addr, s + 1, (size_t)(close - s - 1));
        port = close + 2;
    } else if (strchr(s, ':')) {
        const char *colon = strrchr(s, ':');
        if ((size_t)(colon - s) >= sizeof addr || colon == s) {
            return -1;
        }
        memcpy(addr, s, (size_t)(colon - s));
        port = colon + 1;
    }
    char *end;
    errno = 0;
    unsigned long p = strtoul(port, &end, 10);
    if (!*port || *end || errno || p > 65535) {
        return -1;
    }
    if (addr[0]) {
        unsigned char probe[16];
        if (inet_pton(AF_INET, addr, probe) != 1 && inet_pton(AF_INET6, addr, probe) != 1 &&
            strcasecmp(addr, "localhost") != 0) {
            return -1;
        }
        snprintf(cfg->listen_address, sizeof cfg->listen_address, "%s", addr);
    }
    cfg->listen_port = (unsigned)p;
    return 0;
}

static bool
is_loopback(const char *addr)
{
    unsigned char a[16];
    if (inet_pton(AF_INET, addr, a) == 1) {
        return a[0] == 127;
    }
    if (inet_pton(AF_INET6, addr, a) == 1) {
        static const unsigned char lo[16] = {[15] = 1};
        return memcmp(a, lo, 16) == 0;
    }
    return strcasecmp(addr, "localhost") == 0;
}

static void
raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            cplog(CPLOG_WARN, NULL, NULL, "cannot raise the file descriptor limit: %s",
                  strerror(errno));
        }
    }
}

/* Standard input is a terminal and we are its foreground job. */
static bool
console_on_stdin(void)
{
    return isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp();
}

/* ---- the parts of the start -------------------------------------------------------------- */

struct ipl {
    struct cp_config cfg;
    char datadir[CP_CONFIG_PATH_MAX];
    int lockfd;
    struct svc_files files;
    struct dir_genpw *pw; /* first start: the generated passwords */
    size_t npw;
    bool defaults_unchanged;
    struct cp_services svc;
    bool svc_ok;
    bool cold; /* --cold: the spool starts empty */
    struct cp_system *sys;
    struct svc_login *login;
    /* the system console */
    pthread_mutex_t opcon_lock;
    bool stopping;
};

static int
load_config(struct ipl *s, const struct ipl_opts *o)
{
    char err[512] = "";
    if (o->config) {
        if (cp_config_load(&s->cfg, o->config, false, err, sizeof err) != 0) {
            fprintf(stderr, "vmrv ipl: %s\n", err);
            return IPL_CONFIG;
        }
    } else {
        cp_config_defaults(&s->cfg);
    }
    if (o->data) {
        if (strlen(o->data) >= sizeof s->cfg.data_dir) {
            return usage_error("--data '%s': name too long", o->data);
        }
        snprintf(s->cfg.data_dir, sizeof s->cfg.data_dir, "%s", o->data);
    }
    if (o->listen && apply_listen(&s->cfg, o->listen) != 0) {
        return usage_error("bad --listen '%s': want ADDR:PORT, [ADDR]:PORT or PORT", o->listen);
    }
    if (s->cfg.data_dir[0]) {
        snprintf(s->datadir, sizeof s->datadir, "%s", s->cfg.data_dir);
    } else if (datadir_default(s->datadir, sizeof s->datadir) != 0) {
        fprintf(stderr, "vmrv ipl: cannot tell where the data folder is: give --data DIR or set "
                        "VMRV_DATA\n");
        return IPL_DATADIR;
    }
    return 0;
}

static int
open_datadir(struct ipl *s)
{
    int rc = datadir_create(s->datadir);
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: cannot make the data folder %s: %s\n", s->datadir,
                strerror(-rc));
        return IPL_DATADIR;
    }
    rc = datadir_lock(s->datadir, &s->lockfd);
    if (rc == -EBUSY) {
        pid_t pid = datadir_lock_holder(s->datadir);
        fprintf(stderr, "vmrv ipl: the data folder %s is in use by another vmrv ipl (pid %ld); "
                        "stop that one first (kill -TERM %ld)\n",
                s->datadir, (long)pid, (long)pid);
        return IPL_DATADIR;
    }
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: cannot lock the data folder %s: %s\n", s->datadir,
                strerror(-rc));
        return IPL_DATADIR;
    }
    rc = cplog_open(s->datadir, (enum cplog_level)s->cfg.log_level, s->cfg.log_stderr);
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: cannot open the logs in %s: %s\n", s->datadir, strerror(-rc));
        return IPL_DATADIR;
    }
    return 0;
}

static int
open_directory(struct ipl *s)
{
    struct dir *d = NULL;
    char err[512] = "";
    int rc = dir_open(&d, s->datadir, DIR_OPEN_CREATE, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: the directory in %s: %s\n", s->datadir, err);
        return IPL_SYSFILES;
    }
    rc = dir_init_defaults(d, &s->pw, &s->npw);
    if (rc < 0 && !s->pw) {
        fprintf(stderr, "vmrv ipl: cannot make the default directory: %s\n", dir_errmsg(d));
        dir_close(d);
        return IPL_SYSFILES;
    }
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: warning: the passwords could not be saved in %s/%s\n",
                s->datadir, DATADIR_INITIAL_PW);
    }
    if (s->pw) {
        cplog(CPLOG_INFO, NULL, NULL, "First start: default directory imported, %zu passwords made",
              s->npw);
    }
    int unchanged = dir_defaults_unchanged(d);
    s->defaults_unchanged = unchanged != 0; /* an error counts as unchanged */
    dir_close(d);
    if (s->defaults_unchanged && !is_loopback(s->cfg.listen_address)) {
        fprintf(stderr,
                "vmrv ipl: refusing to listen on %s: the default users still have their first "
                "passwords.\nChange them first (vmrv directory change USERID --password ...) or "
                "listen on 127.0.0.1.\n",
                s->cfg.listen_address);
        return IPL_LISTEN;
    }
    return 0;
}

/* The pager's word to the operator (paging file full, I/O errors). */
static void
paging_told(void *ctx, const char *text)
{
    (void)ctx;
    cplog(CPLOG_ERROR, NULL, NULL, "%s", text);
}

/* real_storage, paging_file, paging_size: CP paging (cp/paging.h). */
static int
start_paging(struct ipl *s)
{
    char path[2 * CP_CONFIG_PATH_MAX + 2], err[600] = "";
    if (s->cfg.paging_file[0] == '/') {
        snprintf(path, sizeof path, "%s", s->cfg.paging_file);
    } else {
        snprintf(path, sizeof path, "%s/%s", s->datadir, s->cfg.paging_file);
    }
    struct paging_config pc = {.real_bytes = s->cfg.real_storage,
                               .path = path,
                               .file_bytes = s->cfg.paging_size,
                               .notify = paging_told};
    if (paging_start(&pc, err, sizeof err) != 0) {
        fprintf(stderr, "vmrv ipl: %s\n", err);
        return IPL_SYSFILES;
    }
    return 0;
}

static int
prepare_files(struct ipl *s)
{
    svc_files_find(&s->cfg, &s->files);
    char err[512] = "";
    if (s->files.nucleus[0]) {
        bool changed = false;
        if (svc_install_nucleus(s->datadir, s->files.nucleus, &changed, err, sizeof err) < 0) {
            fprintf(stderr, "vmrv ipl: %s\n", err);
            return IPL_SYSFILES;
        }
        cplog(CPLOG_INFO, NULL, NULL, "CMS nucleus %s%s", s->files.nucleus,
              changed ? ": installed as systems/CMS.elf" : "");
    } else {
        char have[CP_CONFIG_PATH_MAX + 32];
        snprintf(have, sizeof have, "%s/systems/CMS.elf", s->datadir);
        if (access(have, R_OK) != 0) {
            fprintf(stderr, "vmrv ipl: the CMS nucleus cms/cms.elf is neither next to this program "
                            "nor in %s; build it (make) or set cms_nucleus in the configuration\n",
                    VMRV_PKGDATADIR);
            return IPL_SYSFILES;
        }
        cplog(CPLOG_WARN, NULL, NULL, "no CMS nucleus found; IPL CMS uses %s", have);
    }
    struct svc_disk_report rep;
    if (svc_disks_prepare(s->datadir, NULL, s->files.sdisk, &rep) < 0) {
        fprintf(stderr, "vmrv ipl: cannot read the directory to prepare the minidisks\n");
        return IPL_SYSFILES;
    }
    if (rep.created || rep.formatted || rep.filled || rep.failed) {
        cplog(CPLOG_INFO, NULL, NULL,
              "Minidisks: %u images made, %u formatted, %u filled from the S-disk image, %u failed",
              rep.created, rep.formatted, rep.filled, rep.failed);
    }
    return start_paging(s);
}

static void
autolog_users(struct ipl *s)
{
    struct dir *d = NULL;
    char err[256] = "";
    struct dir_user *users = NULL;
    size_t n = 0;
    if (dir_open(&d, s->datadir, 0, err, sizeof err) != 0 || dir_user_list(d, &users, &n) != 0) {
        cplog(CPLOG_ERROR, NULL, NULL, "AUTOLOG at start: directory: %s", err);
        dir_close(d);
        return;
    }
    dir_close(d);
    for (size_t i = 0; i < n; i++) {
        if (!(users[i].options & DIR_OPT_AUTOLOG) || users[i].nolog) {
            continue;
        }
        char why[256];
        if (cp_system_autolog(s->sys, users[i].userid, "SYSTEM", why, sizeof why) != 0) {
            cplog(CPLOG_WARN, NULL, users[i].userid, "AUTOLOG at start failed: %s", why);
        }
    }
    free(users);
}

static int
start_system(struct ipl *s)
{
    char err[512] = "";
    struct cp_std_opts std = {.spool_cold = s->cold, .spool_limit = s->cfg.spool_size};
    if (s->cold) {
        cplog(CPLOG_WARN, NULL, NULL, "COLD start: every spool file is discarded");
    }
    if (cp_services_standard_opts(&s->svc, s->datadir, &std, err, sizeof err) != 0) {
        fprintf(stderr, "vmrv ipl: %s\n", err);
        return IPL_SYSFILES;
    }
    s->svc_ok = true;
    snprintf(s->cfg.data_dir, sizeof s->cfg.data_dir, "%s", s->datadir);
    s->sys = cp_system_create(&s->cfg, &s->svc, err, sizeof err);
    if (!s->sys) {
        fprintf(stderr, "vmrv ipl: %s\n", err);
        return IPL_FAILED;
    }
    int rc = cp_system_start(s->sys);
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: cannot start the dispatcher: %s\n", strerror(-rc));
        return IPL_FAILED;
    }
    struct svc_login_opts lo = {
        .address = s->cfg.listen_address,
        .port = (int)s->cfg.listen_port,
        .datadir = s->datadir,
        .sdisk = s->files.sdisk,
    };
    rc = svc_login_start(s->sys, &lo, &s->login, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "vmrv ipl: the logon service cannot listen on %s port %u: %s\n",
                s->cfg.listen_address, s->cfg.listen_port, err);
        return IPL_LISTEN;
    }
    autolog_users(s);
    return 0;
}

/* The first start's passwords, once (they are in effect even when the
 * start fails later). */
static void
show_passwords(struct ipl *s)
{
    if (s->pw && !isatty(STDOUT_FILENO) && getenv("JOURNAL_STREAM")) {
        /* under systemd standard output is the journal: no secrets there */
        printf("First start: the user directory was made with the default users; their "
               "passwords are in %s/%s (readable by root only).\n",
               s->datadir, DATADIR_INITIAL_PW);
        explicit_bzero(s->pw, s->npw * sizeof *s->pw);
        free(s->pw);
        s->pw = NULL;
    }
    if (s->pw) {
        printf("\nFirst start: the user directory was made with these users.  Their passwords\n"
               "are shown only now; root can read them again in %s/%s.\n\n",
               s->datadir, DATADIR_INITIAL_PW);
        printf("    %-8s  %s\n", "USERID", "PASSWORD");
        for (size_t i = 0; i < s->npw; i++) {
            printf("    %-8s  %s\n", s->pw[i].userid, s->pw[i].password);
        }
        printf("\n");
        explicit_bzero(s->pw, s->npw * sizeof *s->pw);
        free(s->pw);
        s->pw = NULL;
        fflush(stdout);
    }
}

/* The ready line and how to log on. */
static void
announce(struct ipl *s)
{
    int port = svc_login_port(s->login);
    const char *addr = s->cfg.listen_address;
    const char *host = strcmp(addr, "0.0.0.0") == 0 || strcmp(addr, "::") == 0 ? "127.0.0.1" : addr;
    const char *someone = "DEMO1";
    show_passwords(s);
    printf("%s VM/RV %s: data folder %s, pid %ld\n", s->cfg.system_name, PACKAGE_VERSION,
           s->datadir, (long)getpid());
    printf("Log on with:  ssh -p %d %s@%s\n", port, someone, host);
    if (s->defaults_unchanged) {
        printf("(Only loopback logons while the first passwords are unchanged.)\n");
    }
    if (console_on_stdin()) {
        printf("This terminal is the system console: CP commands run as %s; SHUTDOWN or "
               "Ctrl-C stops the system.\n",
               OPERATOR);
    }
    printf("vmrv ipl: ready: listening on %s port %d\n", addr, port);
    fflush(stdout);
    cplog(CPLOG_INFO, NULL, NULL, "Logon service listening on %s port %d", addr, port);
}

/* ---- waiting: signals, SHUTDOWN, the system console ---------------------------------------- */

static void *
shutdown_waiter(void *arg)
{
    struct ipl *s = arg;
    cp_system_wait(s->sys, -1);
    char c = 'S';
    if (write(sig_pipe[1], &c, 1) < 0) {
        /* full: the main loop is awake anyway */
    }
    return NULL;
}

static void *
opcon_main(void *arg)
{
    struct ipl *s = arg;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) {
            line[--n] = '\0';
        }
        if (n == 0) {
            continue;
        }
        pthread_mutex_lock(&s->opcon_lock);
        if (s->stopping) {
            pthread_mutex_unlock(&s->opcon_lock);
            break;
        }
        char *out = NULL;
        int rc = cp_exec_wait(s->sys, OPERATOR, line, &out);
        pthread_mutex_unlock(&s->opcon_lock);
        if (out && out[0]) {
            printf("%s%s", out, out[strlen(out) - 1] == '\n' ? "" : "\n");
        }
        if (rc != 0) {
            printf("RC=%d\n", rc);
        }
        fflush(stdout);
        free(out);
    }
    free(line);
    return NULL;
}

/* Until SIGTERM, SIGINT or SHUTDOWN. */
static void
wait_for_shutdown(struct ipl *s)
{
    pthread_t waiter;
    bool have_waiter = pthread_create(&waiter, NULL, shutdown_waiter, s) == 0;
    if (have_waiter) {
        pthread_detach(waiter);
    }
    for (;;) {
        char c;
        ssize_t n = read(sig_pipe[0], &c, 1);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0 || c == 'S') {
            break;
        }
        if (c == 'T') {
            cplog(CPLOG_INFO, NULL, NULL, "Signal: shutting down");
            cp_system_request_shutdown(s->sys, "SIGNAL");
            if (!have_waiter) {
                break;
            }
        }
    }
}

static int
shut_down(struct ipl *s)
{
    int status = IPL_OK;
    if (s->sys) {
        unsigned left = cp_system_shutdown(s->sys, SHUTDOWN_GRACE_MS);
        if (left) {
            fprintf(stderr, "vmrv ipl: %u users were still logged on when shutdown gave up\n", left);
            status = IPL_FAILED;
        }
    }
    if (s->login) {
        svc_login_drain(s->login, DRAIN_MS);
        svc_login_stop(s->login);
        s->login = NULL;
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += 2;
    bool opcon_quiet = pthread_mutex_timedlock(&s->opcon_lock, &ts) == 0;
    s->stopping = true;
    if (opcon_quiet) {
        pthread_mutex_unlock(&s->opcon_lock);
        cp_system_destroy(s->sys); /* else an operator command still runs: leave it */
        paging_stop();
    }
    s->sys = NULL;
    if (s->svc_ok && opcon_quiet) {
        cp_services_standard_free(&s->svc);
    }
    /* every minidisk write was acknowledged (in the kernel); make the
     * whole data folder flushed too, so a clean shutdown survives a power
     * loss right after it */
    int fd = open(s->datadir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        if (syncfs(fd) != 0) {
            cplog(CPLOG_WARN, NULL, NULL, "syncfs of %s: %s", s->datadir, strerror(errno));
        }
        close(fd);
    }
    if (status == IPL_OK) {
        cplog(CPLOG_INFO, NULL, NULL, "System shut down cleanly");
    }
    return status;
}

static int
setup_signals(void)
{
    if (pipe2(sig_pipe, O_CLOEXEC) != 0) {
        return -1;
    }
    fcntl(sig_pipe[1], F_SETFL, O_NONBLOCK);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* run in the background of a shell (`vmrv ipl &`), reading or writing
     * the terminal must not stop the whole system */
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    return 0;
}

int
vmrv_ipl_main(int argc, char **argv)
{
    struct ipl_opts o;
    int rc = parse_args(argc, argv, &o);
    if (rc != 0) {
        return rc < 0 ? IPL_OK : rc;
    }
    static struct ipl s;
    memset(&s, 0, sizeof s);
    s.lockfd = -1;
    pthread_mutex_init(&s.opcon_lock, NULL);
    s.cold = o.cold;
    rc = load_config(&s, &o);
    if (rc != 0) {
        return rc;
    }
    if (o.show_config) {
        char buf[16384];
        cp_config_dump(&s.cfg, buf, sizeof buf);
        fputs(buf, stdout);
        return IPL_OK;
    }
    if (setup_signals() != 0) {
        fprintf(stderr, "vmrv ipl: cannot set up signals: %s\n", strerror(errno));
        return IPL_FAILED;
    }
    rc = open_datadir(&s);
    if (rc == 0) {
        rc = open_directory(&s);
    }
    if (rc == 0) {
        rc = prepare_files(&s);
    }
    if (rc == 0) {
        raise_fd_limit();
        rc = start_system(&s);
    }
    if (rc == 0) {
        announce(&s);
        if (console_on_stdin()) {
            pthread_t t;
            if (pthread_create(&t, NULL, opcon_main, &s) == 0) {
                pthread_detach(t);
            }
        }
        wait_for_shutdown(&s);
    }
    show_passwords(&s);
    int st = shut_down(&s);
    if (rc == 0) {
        rc = st;
    }
    cplog_close();
    if (s.lockfd >= 0) {
        datadir_unlock(s.lockfd);
    }
    return rc;
}
