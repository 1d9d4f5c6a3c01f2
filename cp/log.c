// SPDX-License-Identifier: MIT
/*
 * cp/log.c - the operator's log and the audit trail (cp/log.h).
 *
 * One process-wide logger: two FILE streams behind one mutex.  Reopen
 * requests from a signal handler only set an atomic flag; the next writer
 * reopens.  Lines are built in a stack buffer, cleaned of control
 * characters and written with one fputs + fflush, so a crash loses at most
 * the line being written.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cp/log.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file;
static FILE *audit_file;
static char log_dir[PATH_MAX];
static enum cplog_level log_level = CPLOG_INFO;
static bool log_to_stderr = true;
static volatile sig_atomic_t reopen_wanted;

static const char *const level_names[] = {"error", "warning", "info", "debug"};
static const char *const level_tags[] = {"ERROR", "WARN ", "INFO ", "DEBUG"};

const char *
cplog_level_name(int level)
{
    if (level < 0 || level > CPLOG_DEBUG) {
        return "?";
    }
    return level_names[level];
}

int
cplog_level_parse(const char *word)
{
    for (int i = 0; i <= CPLOG_DEBUG; i++) {
        if (strcasecmp(word, level_names[i]) == 0) {
            return i;
        }
    }
    if (strcasecmp(word, "warn") == 0) {
        return CPLOG_WARN;
    }
    return -1;
}

static FILE *
open_append(const char *dir, const char *name, int *err)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        *err = -errno;
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (!f) {
        *err = -errno;
        close(fd);
        return NULL;
    }
    return f;
}

/* Called with log_lock held. */
static int
reopen_locked(void)
{
    int err = 0;
    if (log_dir[0] == '\0') {
        return 0;
    }
    FILE *l = open_append(log_dir, "vmrv.log", &err);
    FILE *a = l ? open_append(log_dir, "audit.log", &err) : NULL;
    if (!l || !a) {
        if (l) {
            fclose(l);
        }
        return err;
    }
    if (log_file) {
        fclose(log_file);
    }
    if (audit_file) {
        fclose(audit_file);
    }
    log_file = l;
    audit_file = a;
    return 0;
}

int
cplog_open(const char *dir, enum cplog_level level, bool to_stderr)
{
    if (strlen(dir) >= sizeof log_dir) {
        return -ENAMETOOLONG;
    }
    pthread_mutex_lock(&log_lock);
    char old[PATH_MAX];
    strcpy(old, log_dir);
    strcpy(log_dir, dir);
    int rc = reopen_locked();
    if (rc < 0) {
        strcpy(log_dir, old);
    } else {
        __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
        log_to_stderr = to_stderr;
    }
    pthread_mutex_unlock(&log_lock);
    return rc;
}

void
cplog_close(void)
{
    pthread_mutex_lock(&log_lock);
    if (log_file) {
        fclose(log_file);
    }
    if (audit_file) {
        fclose(audit_file);
    }
    log_file = audit_file = NULL;
    log_dir[0] = '\0';
    log_to_stderr = true;
    pthread_mutex_unlock(&log_lock);
}

void
cplog_set_level(enum cplog_level level)
{
    __atomic_store_n(&log_level, level, __ATOMIC_RELAXED);
}

void
cplog_request_reopen(void)
{
    reopen_wanted = 1;
}

int
cplog_reopen(void)
{
    pthread_mutex_lock(&log_lock);
    int rc = reopen_locked();
    pthread_mutex_unlock(&log_lock);
    return rc;
}

static void
timestamp(char *buf, size_t len)
{
    struct timeval tv;
    struct tm tm;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    char base[40], zone[8];
    strftime(base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
    strftime(zone, sizeof zone, "%z", &tm);
    snprintf(buf, len, "%s.%03u%s", base, (unsigned)(tv.tv_usec / 1000) % 1000u, zone);
}

static void
clean(char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f) {
            *s = '?';
        }
    }
}

/* Called with log_lock held. */
static void
emit(FILE *f, const char *line)
{
    if (f) {
        fputs(line, f);
        fputc('\n', f);
        fflush(f);
    }
}

static void
check_reopen_locked(void)
{
    if (reopen_wanted) {
        reopen_wanted = 0;
        reopen_locked();
    }
}

void
cplog(enum cplog_level level, const char *msgid, const char *userid, const char *fmt, ...)
{
    if ((int)level > (int)__atomic_load_n(&log_level, __ATOMIC_RELAXED)) {
        return;
    }
    char text[1024], ts[80], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    clean(text);
    timestamp(ts, sizeof ts);
    snprintf(line, sizeof line, "%s %s %-8s %-8s %s", ts,
             level_tags[level < 0 || level > CPLOG_DEBUG ? CPLOG_ERROR : level],
             msgid ? msgid : "-", userid ? userid : "-", text);
    pthread_mutex_lock(&log_lock);
    check_reopen_locked();
    emit(log_file, line);
    if (log_to_stderr || !log_file) {
        emit(stderr, line);
    }
    pthread_mutex_unlock(&log_lock);
}

void
cplog_audit(const char *event, const char *userid, const char *fmt, ...)
{
    char text[1024], ts[80], line[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    clean(text);
    timestamp(ts, sizeof ts);
    snprintf(line, sizeof line, "%s %-8s %-8s %s", ts, event, userid ? userid : "-", text);
    pthread_mutex_lock(&log_lock);
    check_reopen_locked();
    emit(audit_file, line);
    pthread_mutex_unlock(&log_lock);
    cplog(CPLOG_INFO, NULL, userid, "%s %s", event, text);
}
