// SPDX-License-Identifier: MIT
/*
 * bench/spoolcp_ssh.c - files in and out of the spool over SSH (make
 * bench): starts `vmrv ipl` on 127.0.0.1 with a fresh data folder, gives
 * DEMO1 a key, and times the real OpenSSH client running
 * `PUNCH fn ft BINARY` < file and `RECEIVE spoolid` > file for an empty, a
 * 1 MB and a 32 MB file (median of a few runs each), public-key
 * authentication (no password hash).  Reported apart: the connection cost
 * (an empty file: process start, key exchange, authentication), each
 * size's data rate (less that cost), and the end to end time of the 1 MB
 * file over one persistent multiplexed connection (OpenSSH ControlMaster
 * with ControlPersist in the temp folder: how a user moves many files;
 * each command is a new session channel on it), with its data rate less
 * the cost of an empty command through the master.  Also the start of the
 * ssh program alone (`ssh -V`): no command can cost less end to end.
 * Target: over 50 MB/s.  Prints "skipped: ..." when ssh or ssh-keygen is
 * not installed.
 */
#include <ftw.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUNS 3

static char T[512], data[600], sshcmd[2048];

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    return remove(path);
}

static pid_t ipl_pid;

static void
cleanup(void)
{
    if (ipl_pid > 0) {
        kill(ipl_pid, SIGTERM);
        waitpid(ipl_pid, NULL, 0);
        ipl_pid = 0;
    }
    nftw(T, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
die(const char *what)
{
    fprintf(stderr, "spoolcp_ssh: %s\n", what);
    cleanup();
    exit(1);
}

static int
run(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int
cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Median time of `ssh ... 'remote' < in > out` with the given ssh
 * command; -1 when it failed. */
static double
timed_with(const char *ssh, const char *remote, const char *in, const char *out)
{
    double t[RUNS];
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "%s '%s' <%s >%s 2>>%s/ssh.err", ssh, remote, in, out, T);
    for (int i = 0; i < RUNS; i++) {
        double t0 = now_ms();
        if (run(cmd) != 0) {
            return -1;
        }
        t[i] = now_ms() - t0;
    }
    qsort(t, RUNS, sizeof t[0], cmp_d);
    return t[RUNS / 2];
}

static double
timed(const char *remote, const char *in, const char *out)
{
    double t = timed_with(sshcmd, remote, in, out);
    if (t < 0) {
        die(remote);
    }
    return t;
}

/* The spoolid PUNCH printed in file out ("... RDR FILE nnnn TO ..."). */
static unsigned
spoolid_of(const char *out)
{
    char buf[512] = "";
    FILE *f = fopen(out, "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        buf[n] = '\0';
        fclose(f);
    }
    const char *p = strstr(buf, "RDR FILE ");
    return p ? (unsigned)strtoul(p + 9, NULL, 10) : 0;
}

int
main(void)
{
    if (run("command -v ssh >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1") != 0) {
        printf("spoolcp_ssh: skipped: ssh or ssh-keygen is not installed\n");
        return 0;
    }
    const char *vmrv = getenv("VMRV") ? getenv("VMRV") : "./vmrv";
    const char *tmp = getenv("TMPDIR");
    snprintf(T, sizeof T, "%s/vmrv-spoolcp-ssh-XXXXXX", tmp && *tmp ? tmp : P_tmpdir);
    if (!mkdtemp(T)) {
        die("mkdtemp");
    }
    snprintf(data, sizeof data, "%s/data", T);
    char cmd[4096], out[700];
    snprintf(out, sizeof out, "%s/ipl.out", T);
    fflush(stdout);
    ipl_pid = fork();
    if (ipl_pid == 0) {
        freopen("/dev/null", "r", stdin);
        freopen(out, "w", stdout);
        char errf[700];
        snprintf(errf, sizeof errf, "%s/ipl.err", T);
        freopen(errf, "w", stderr);
        execl(vmrv, vmrv, "ipl", "--listen", "127.0.0.1:0", "--data", data, (char *)NULL);
        _exit(127);
    }
    int port = 0;
    for (int i = 0; i < 600 && !port; i++) {
        usleep(50000);
        FILE *f = fopen(out, "r");
        char line[256];
        while (f && fgets(line, sizeof line, f)) {
            const char *p = strstr(line, "ready: listening on 127.0.0.1 port ");
            if (p) {
                port = atoi(p + strlen("ready: listening on 127.0.0.1 port "));
            }
        }
        if (f) {
            fclose(f);
        }
    }
    if (!port) {
        die("vmrv ipl did not get ready");
    }
    snprintf(cmd, sizeof cmd,
             "ssh-keygen -q -t ed25519 -N '' -f %s/key </dev/null >/dev/null && "
             "%s directory --data %s change DEMO1 --add-key %s/key.pub >/dev/null",
             T, vmrv, data, T);
    if (run(cmd) != 0) {
        die("adding a key to DEMO1");
    }
    snprintf(sshcmd, sizeof sshcmd,
             "ssh -F /dev/null -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null "
             "-o LogLevel=ERROR -o BatchMode=yes -o IdentitiesOnly=yes -i %s/key -p %d "
             "demo1@127.0.0.1",
             T, port);
    static const struct {
        const char *name;
        size_t bytes;
    } sizes[] = {{"empty", 0}, {"1mb", 1u << 20}, {"32mb", 32u << 20}};
    double tin[3], tout[3];
    double tstart = timed_with("ssh -V", "", "/dev/null", "/dev/null");
    for (int i = 0; i < 3; i++) {
        char in[700], back[700], pun[700], remote[64];
        snprintf(in, sizeof in, "%s/%s.in", T, sizes[i].name);
        snprintf(back, sizeof back, "%s/%s.back", T, sizes[i].name);
        snprintf(pun, sizeof pun, "%s/%s.punch", T, sizes[i].name);
        snprintf(cmd, sizeof cmd, "head -c %zu /dev/urandom >%s", sizes[i].bytes, in);
        if (run(cmd) != 0) {
            die("making the input");
        }
        tin[i] = timed("PUNCH BENCH DATA BINARY", in, pun);
        unsigned id = spoolid_of(pun);
        if (!id) {
            die("PUNCH gave no spoolid");
        }
        snprintf(remote, sizeof remote, "RECEIVE %u", id);
        tout[i] = timed(remote, "/dev/null", back);
        snprintf(cmd, sizeof cmd, "cmp -s %s %s", in, back);
        if (run(cmd) != 0) {
            die("the file came back different");
        }
    }
    /* the way a user moves many files: one connection (OpenSSH
     * ControlMaster), each command a new session channel on it */
    char mux[2600], ids[2][64] = {"", ""};
    double mtin[2] = {-1, -1}, mtout[2] = {-1, -1};
    snprintf(mux, sizeof mux, "%s -o ControlPath=%s/cm", sshcmd, T);
    snprintf(cmd, sizeof cmd, "%s -o ControlMaster=yes -o ControlPersist=yes -f -N 2>>%s/ssh.err",
             mux, T);
    bool muxed = run(cmd) == 0;
    for (int i = 0; muxed && i < 2; i++) {
        char in[700], back[700], pun[700];
        snprintf(in, sizeof in, "%s/%s.in", T, sizes[i].name);
        snprintf(back, sizeof back, "%s/%s.mback", T, sizes[i].name);
        snprintf(pun, sizeof pun, "%s/%s.mpunch", T, sizes[i].name);
        mtin[i] = timed_with(mux, "PUNCH BENCH DATA BINARY", in, pun);
        unsigned id = spoolid_of(pun);
        snprintf(ids[i], sizeof ids[i], "RECEIVE %u", id);
        mtout[i] = id ? timed_with(mux, ids[i], "/dev/null", back) : -1;
        snprintf(cmd, sizeof cmd, "cmp -s %s %s", in, back);
        if (mtout[i] >= 0 && run(cmd) != 0) {
            die("the file came back different (multiplexed)");
        }
        muxed = mtin[i] >= 0 && mtout[i] >= 0;
    }
    snprintf(cmd, sizeof cmd, "%s -O exit >/dev/null 2>&1", mux);
    run(cmd); /* the master goes */
    /* OpenSSH falls back to a new connection when the master's session
     * request is refused: such figures are not multiplexed ones */
    snprintf(cmd, sizeof cmd, "grep -q 'refused by peer' %s/ssh.err", T);
    bool refused = run(cmd) == 0;
    muxed = muxed && !refused;
    double mb1 = 1.0, mb32 = 32.0;
    double in1 = mb1 / (tin[1] / 1e3), out1 = mb1 / (tout[1] / 1e3);
    double din1 = tin[1] > tin[0] ? mb1 / ((tin[1] - tin[0]) / 1e3) : 0;
    double dout1 = tout[1] > tout[0] ? mb1 / ((tout[1] - tout[0]) / 1e3) : 0;
    double in32 = tin[2] > tin[0] ? mb32 / ((tin[2] - tin[0]) / 1e3) : 0;
    double out32 = tout[2] > tout[0] ? mb32 / ((tout[2] - tout[0]) / 1e3) : 0;
    double min1 = muxed ? mb1 / (mtin[1] / 1e3) : 0, mout1 = muxed ? mb1 / (mtout[1] / 1e3) : 0;
    double dmin1 = muxed && mtin[1] > mtin[0] ? mb1 / ((mtin[1] - mtin[0]) / 1e3) : 0;
    double dmout1 = muxed && mtout[1] > mtout[0] ? mb1 / ((mtout[1] - mtout[0]) / 1e3) : 0;
    printf("Spool files over SSH (OpenSSH client, public-key auth, 127.0.0.1, median of %d)\n",
           RUNS);
    printf("  %-48s %9.1f ms\n", "start of the ssh program alone (ssh -V)", tstart);
    printf("  %-48s %9.1f ms\n", "PUNCH of an empty file (connection cost)", tin[0]);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "PUNCH 1 MB, end to end (new connection)", tin[1], in1);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "PUNCH 1 MB, less the connection", tin[1] - tin[0],
           din1);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "PUNCH 32 MB, less the connection", tin[2] - tin[0], in32);
    printf("  %-48s %9.1f ms\n", "RECEIVE of an empty file (connection cost)", tout[0]);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "RECEIVE 1 MB, end to end (new connection)", tout[1],
           out1);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "RECEIVE 1 MB, less the connection", tout[1] - tout[0],
           dout1);
    printf("  %-48s %9.1f ms  %7.1f MB/s\n", "RECEIVE 32 MB, less the connection", tout[2] - tout[0],
           out32);
    if (muxed) {
        printf("  %-48s %9.1f ms\n", "PUNCH empty, multiplexed (ControlMaster)", mtin[0]);
        printf("  %-48s %9.1f ms  %7.1f MB/s\n", "PUNCH 1 MB, end to end, multiplexed", mtin[1], min1);
        printf("  %-48s %9.1f ms  %7.1f MB/s\n", "PUNCH 1 MB, multiplexed, less the empty one",
               mtin[1] - mtin[0], dmin1);
        printf("  %-48s %9.1f ms\n", "RECEIVE empty, multiplexed", mtout[0]);
        printf("  %-48s %9.1f ms  %7.1f MB/s\n", "RECEIVE 1 MB, end to end, multiplexed", mtout[1],
               mout1);
        printf("  %-48s %9.1f ms  %7.1f MB/s\n", "RECEIVE 1 MB, multiplexed, less the empty one",
               mtout[1] - mtout[0], dmout1);
    } else {
        printf("  multiplexed (ControlMaster): skipped: %s\n",
               refused ? "the server refuses a second session channel on a connection"
                       : "the master connection failed");
    }
    printf("BENCH spoolcp_ssh_client_start %.1f ms\n", tstart);
    printf("BENCH spoolcp_ssh_connect %.1f ms\n", tin[0]);
    printf("BENCH spoolcp_ssh_punch_1mb %.1f MB/s\n", in1);
    printf("BENCH spoolcp_ssh_receive_1mb %.1f MB/s\n", out1);
    printf("BENCH spoolcp_ssh_punch_1mb_data %.1f MB/s\n", din1);
    printf("BENCH spoolcp_ssh_receive_1mb_data %.1f MB/s\n", dout1);
    printf("BENCH spoolcp_ssh_punch_data %.1f MB/s\n", in32);
    printf("BENCH spoolcp_ssh_receive_data %.1f MB/s\n", out32);
    if (muxed) {
        printf("BENCH spoolcp_ssh_mux_empty %.1f ms\n", mtin[0]);
        printf("BENCH spoolcp_ssh_mux_punch_1mb %.1f MB/s\n", min1);
        printf("BENCH spoolcp_ssh_mux_receive_1mb %.1f MB/s\n", mout1);
        printf("BENCH spoolcp_ssh_mux_punch_1mb_data %.1f MB/s\n", dmin1);
        printf("BENCH spoolcp_ssh_mux_receive_1mb_data %.1f MB/s\n", dmout1);
    }
    cleanup();
    return 0;
}
