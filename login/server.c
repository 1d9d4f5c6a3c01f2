// SPDX-License-Identifier: MIT
/*
 * login/server.c - the SSH logon service: start, stop, and the SSH threads.
 *
 * login_server_start() prepares the host keys (hostkey.c), opens the
 * listening socket itself (so port 0 works and the port is known), and
 * starts config.threads SSH threads. Each thread has its own epoll, an
 * eventfd through which other threads hand it work (its ready list), its
 * own ssh_bind (so no libssh object is shared between threads), and the
 * listening socket with EPOLLEXCLUSIVE: whichever idle thread wakes takes
 * the connection and keeps it for its whole life. Limits on connections
 * (total, unauthenticated, per source) are checked right at accept, before
 * libssh sees the socket. The loop: wait (until the nearest timer), accept,
 * pump the connections whose sockets are ready (conn.c), take the ready
 * list, run the timers, free dead channels and connections -- freeing only
 * here, never inside a libssh call.
 *
 * Memory: the server struct is reference counted (the caller's reference
 * plus one per connection and one per channel struct), so a backend that still holds a session or
 * an auth request after login_server_stop() touches valid memory.
 */
#include "login/login_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

/* epoll tags for the two non-session descriptors of a thread */
static char tag_listen, tag_wake;

void
login_config_init(struct login_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->address = "127.0.0.1";
    cfg->port = 2222;
    cfg->threads = 2;
    cfg->max_connections = 1024;
    cfg->max_unauth = 128;
    cfg->max_unauth_per_source = 16;
    cfg->max_sessions_per_user = 8;
    cfg->max_channels = 10;
    cfg->max_auth_tries = 6;
    cfg->auth_timeout_ms = 60000;
    cfg->idle_timeout_ms = 3600000;
    cfg->empty_timeout_ms = 3600000;
    cfg->fail_floor_ms = 300;
    cfg->fail_delay_ms = 1000;
    cfg->fail_delay_max_ms = 30000;
    cfg->fail_forget_ms = 900000;
    cfg->close_grace_ms = 10000;
    cfg->output_limit = 65536;
    cfg->version = "VMRV";
}

int
login_server_port(const struct login_server *srv)
{
    return srv->port;
}

void
login_server_stats(struct login_server *srv, struct login_stats *st)
{
    st->connections = atomic_load(&srv->n_conn);
    st->unauthenticated = atomic_load(&srv->n_unauth);
    st->sessions = atomic_load(&srv->n_sessions);
    st->auth_pending = atomic_load(&srv->n_pending);
    st->accepted = atomic_load(&srv->n_accepted);
    st->refused = atomic_load(&srv->n_refused);
    st->logons = atomic_load(&srv->n_logons);
    st->failures = atomic_load(&srv->n_failures);
}

static void
server_free(struct login_server *srv)
{
    for (int i = 0; i < srv->nthreads; i++) {
        struct login_thread *th = &srv->threads[i];
        if (th->bind != NULL) {
            ssh_bind_free(th->bind);
        }
        if (th->epfd >= 0) {
            close(th->epfd);
        }
        if (th->wakefd >= 0) {
            close(th->wakefd);
        }
        pthread_mutex_destroy(&th->lock);
    }
    free(srv->threads);
    if (srv->listen_fd >= 0) {
        close(srv->listen_fd);
    }
    throttle_free(&srv->thr);
    free(srv->address);
    free(srv->hostkey_dir);
    free(srv->version);
    free(srv);
}

void
login_server_unref(struct login_server *srv)
{
    if (atomic_fetch_sub(&srv->refs, 1) == 1) {
        server_free(srv);
    }
}

/* ---- cross-thread wake-ups -------------------------------------------------- */

void
login_thread_schedule(struct login_conn *c)
{
    struct login_thread *th = c->th;
    pthread_mutex_lock(&th->lock);
    if (c->sched) {
        pthread_mutex_unlock(&th->lock);
        return;
    }
    c->sched = 1;
    atomic_fetch_add(&c->refs, 1); /* the ready list's */
    c->ready_next = th->ready;
    th->ready = c;
    int wake = !th->wake_pending;
    th->wake_pending = 1;
    pthread_mutex_unlock(&th->lock);
    if (wake) {
        uint64_t one = 1;
        ssize_t w = write(th->wakefd, &one, sizeof one);
        (void)w; /* EAGAIN means a wake-up is already pending */
    }
}

void
login_thread_timer(struct login_thread *th, uint64_t when)
{
    if (when != 0 && (th->next_timer == 0 || when < th->next_timer)) {
        th->next_timer = when;
    }
}

void
login_conn_set_interest(struct login_conn *c, uint32_t events)
{
    if (c->fd < 0 || events == c->ev_mask) {
        return;
    }
    struct epoll_event ev = {.events = events, .data.ptr = c};
    if (epoll_ctl(c->th->epfd, EPOLL_CTL_MOD, c->fd, &ev) == 0) {
        c->ev_mask = events;
    }
}

/* ---- the thread loop --------------------------------------------------- */

static void
accept_some(struct login_thread *th)
{
    struct login_server *srv = th->srv;
    for (int i = 0; i < 16; i++) {
        struct sockaddr_storage sa;
        socklen_t salen = sizeof sa;
        int fd = accept4(srv->listen_fd, (struct sockaddr *)&sa, &salen,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE) {
                login_logf(srv, LOGIN_LOG_ERROR, "accept: %s", strerror(errno));
            }
            return;
        }
        char peer[LOGIN_PEER_MAX] = "?";
        if (getnameinfo((struct sockaddr *)&sa, salen, peer, sizeof peer, NULL, 0,
                        NI_NUMERICHOST) != 0) {
            strcpy(peer, "?");
        }
        const char *why = NULL;
        if (atomic_load(&srv->n_conn) >= srv->cfg.max_connections) {
            why = "too many connections";
        } else if (atomic_load(&srv->n_unauth) >= srv->cfg.max_unauth) {
            why = "too many connections not logged on";
        } else if (throttle_unauth_add(&srv->thr, peer, srv->cfg.max_unauth_per_source) != 0) {
            why = "too many connections not logged on from this address";
        }
        if (why != NULL) {
            atomic_fetch_add(&srv->n_refused, 1);
            login_logf(srv, LOGIN_LOG_NOTICE, "refused connection from %s: %s", peer, why);
            close(fd);
            continue;
        }
        atomic_fetch_add(&srv->n_accepted, 1);
        /* Consoles are interactive: an echo or a prompt must not wait for
         * the client's delayed ACK (Nagle). libssh writes whole packets. */
        int one = 1;
        (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct login_conn *c = conn_create(th, fd, peer);
        if (c == NULL) {
            throttle_unauth_del(&srv->thr, peer);
            continue; /* conn_create closed fd and logged */
        }
        conn_pump(c);
    }
}

static void
take_ready(struct login_thread *th)
{
    uint64_t n;
    while (read(th->wakefd, &n, sizeof n) > 0) {
    }
    pthread_mutex_lock(&th->lock);
    struct login_conn *c = th->ready;
    th->ready = NULL;
    th->wake_pending = 0;
    pthread_mutex_unlock(&th->lock);
    while (c != NULL) {
        /* Read the link and clear sched together, under the lock
         * login_thread_schedule takes: once sched is 0 another thread may
         * put c on the new ready list, which rewrites c->ready_next (and
         * takes a reference of its own for that list). */
        pthread_mutex_lock(&th->lock);
        struct login_conn *next = c->ready_next;
        c->sched = 0;
        pthread_mutex_unlock(&th->lock);
        pthread_mutex_lock(&c->lock);
        int linked = c->linked;
        pthread_mutex_unlock(&c->lock);
        if (linked && c->state != CS_DEAD) {
            conn_ready(c);
        }
        conn_release(c);
        c = next;
    }
}

static void
run_timers(struct login_thread *th)
{
    uint64_t now = login_now_ms();
    if (th->next_timer == 0 || now < th->next_timer) {
        return;
    }
    th->next_timer = 0;
    for (struct login_conn *c = th->conns; c != NULL; c = c->next) {
        if (c->state != CS_DEAD) {
            conn_timer(c, now);
        }
        login_thread_timer(th, conn_next_time(c));
    }
}

static void
reap(struct login_thread *th)
{
    struct login_conn *c = th->conns;
    while (c != NULL) {
        struct login_conn *next = c->next; /* conn_reap may free c */
        conn_reap(c);
        c = next;
    }
}

static void *
thread_main(void *arg)
{
    struct login_thread *th = arg;
    struct epoll_event evs[64];
    while (!atomic_load(&th->stop)) {
        int timeout = -1;
        if (th->next_timer != 0) {
            uint64_t now = login_now_ms();
            timeout = th->next_timer <= now ? 0 : (int)(th->next_timer - now);
        }
        int n = epoll_wait(th->epfd, evs, 64, timeout);
        for (int i = 0; i < n; i++) {
            void *p = evs[i].data.ptr;
            if (p == &tag_listen) {
                accept_some(th);
            } else if (p == &tag_wake) {
                take_ready(th);
            } else {
                struct login_conn *c = p;
                if (c->state != CS_DEAD) {
                    conn_event(c, evs[i].events);
                }
            }
        }
        run_timers(th);
        reap(th);
    }
    /* Stopping: every session goes, the backend is told. */
    take_ready(th);
    for (struct login_conn *c = th->conns; c != NULL; c = c->next) {
        conn_kill(c, LOGIN_DISC_SHUTDOWN);
    }
    reap(th);
    take_ready(th); /* references taken by callbacks during the teardown */
    return NULL;
}

/* ---- start and stop ----------------------------------------------------- */

static int
open_listener(struct login_server *srv, char *err, size_t errlen)
{
    struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE,
                             .ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM};
    struct addrinfo *ai = NULL;
    char port[16];
    snprintf(port, sizeof port, "%d", srv->cfg.port);
    int rc = getaddrinfo(srv->address, port, &hints, &ai);
    if (rc != 0) {
        snprintf(err, errlen, "bad listen address %s: %s", srv->address, gai_strerror(rc));
        return -EINVAL;
    }
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 256) != 0) {
        rc = -errno;
        snprintf(err, errlen, "cannot listen on %s port %d: %s", srv->address, srv->cfg.port,
                 strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        freeaddrinfo(ai);
        return rc;
    }
    freeaddrinfo(ai);
    struct sockaddr_storage sa;
    socklen_t salen = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &salen);
    srv->port = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
                                               : ((struct sockaddr_in *)&sa)->sin_port);
    srv->listen_fd = fd;
    return 0;
}

static int
thread_setup(struct login_server *srv, struct login_thread *th, char *err, size_t errlen)
{
    th->epfd = epoll_create1(EPOLL_CLOEXEC);
    th->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    th->bind = ssh_bind_new();
    if (th->epfd < 0 || th->wakefd < 0 || th->bind == NULL) {
        snprintf(err, errlen, "cannot set up an SSH thread: %s", strerror(errno));
        return -ENOMEM;
    }
    bool no = false;
    if (ssh_bind_options_set(th->bind, SSH_BIND_OPTIONS_PROCESS_CONFIG, &no) != SSH_OK ||
        ssh_bind_options_set(th->bind, SSH_BIND_OPTIONS_HOSTKEY, srv->ed25519_path) != SSH_OK ||
        ssh_bind_options_set(th->bind, SSH_BIND_OPTIONS_HOSTKEY, srv->ecdsa_path) != SSH_OK ||
        ssh_bind_options_set(th->bind, SSH_BIND_OPTIONS_BANNER, srv->version) != SSH_OK) {
        snprintf(err, errlen, "libssh refused the host keys: %s", ssh_get_error(th->bind));
        return -EINVAL;
    }
    struct epoll_event lev = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = &tag_listen};
    struct epoll_event wev = {.events = EPOLLIN, .data.ptr = &tag_wake};
    if (epoll_ctl(th->epfd, EPOLL_CTL_ADD, srv->listen_fd, &lev) != 0 ||
        epoll_ctl(th->epfd, EPOLL_CTL_ADD, th->wakefd, &wev) != 0) {
        snprintf(err, errlen, "epoll: %s", strerror(errno));
        return -errno;
    }
    return 0;
}

int
login_server_start(const struct login_config *cfg, const struct login_backend *backend,
                   struct login_server **out, char *err, size_t errlen)
{
    char dummy[8];
    if (err == NULL || errlen == 0) {
        err = dummy;
        errlen = sizeof dummy;
    }
    err[0] = '\0';
    *out = NULL;
    if (backend == NULL || backend->auth_password == NULL || cfg->threads < 1 ||
        cfg->threads > 64 || cfg->output_limit == 0 || cfg->max_channels < 1) {
        snprintf(err, errlen, "bad login configuration");
        return -EINVAL;
    }
    struct login_server *srv = calloc(1, sizeof *srv);
    if (srv == NULL) {
        return -ENOMEM;
    }
    srv->cfg = *cfg;
    srv->be = *backend;
    srv->listen_fd = -1;
    atomic_init(&srv->refs, 1);
    srv->address = strdup(cfg->address ? cfg->address : "127.0.0.1");
    srv->hostkey_dir = strdup(cfg->hostkey_dir ? cfg->hostkey_dir : "");
    srv->version = strdup(cfg->version ? cfg->version : "VMRV");
    srv->cfg.address = srv->address;
    srv->cfg.hostkey_dir = srv->hostkey_dir;
    srv->cfg.version = srv->version;
    if (srv->address == NULL || srv->hostkey_dir == NULL || srv->version == NULL ||
        throttle_init(&srv->thr, 4096, cfg->fail_delay_ms, cfg->fail_delay_max_ms,
                      cfg->fail_forget_ms) != 0) {
        server_free(srv);
        return -ENOMEM;
    }
    ssh_init();
    int rc = login_hostkeys_prepare(srv->hostkey_dir, srv->ed25519_path, srv->ecdsa_path, err,
                                    errlen);
    if (rc == 0) {
        rc = open_listener(srv, err, errlen);
    }
    if (rc == 0) {
        srv->threads = calloc((size_t)cfg->threads, sizeof *srv->threads);
        if (srv->threads == NULL) {
            rc = -ENOMEM;
        }
    }
    if (rc != 0) {
        server_free(srv);
        return rc;
    }
    srv->nthreads = cfg->threads;
    for (int i = 0; i < srv->nthreads; i++) {
        struct login_thread *th = &srv->threads[i];
        th->srv = srv;
        th->idx = i;
        th->epfd = th->wakefd = -1;
        pthread_mutex_init(&th->lock, NULL);
    }
    for (int i = 0; i < srv->nthreads && rc == 0; i++) {
        rc = thread_setup(srv, &srv->threads[i], err, errlen);
    }
    for (int i = 0; i < srv->nthreads && rc == 0; i++) {
        struct login_thread *th = &srv->threads[i];
        if (pthread_create(&th->tid, NULL, thread_main, th) != 0) {
            snprintf(err, errlen, "cannot start an SSH thread");
            rc = -EAGAIN;
        } else {
            th->started = 1;
        }
    }
    if (rc != 0) {
        login_server_stop(srv);
        return rc;
    }
    login_logf(srv, LOGIN_LOG_INFO, "listening on %s port %d (%d threads)", srv->address,
               srv->port, srv->nthreads);
    *out = srv;
    return 0;
}

void
login_server_stop(struct login_server *srv)
{
    if (srv == NULL) {
        return;
    }
    for (int i = 0; i < srv->nthreads; i++) {
        struct login_thread *th = &srv->threads[i];
        atomic_store(&th->stop, 1);
        if (th->wakefd >= 0) {
            uint64_t one = 1;
            ssize_t w = write(th->wakefd, &one, sizeof one);
            (void)w;
        }
    }
    for (int i = 0; i < srv->nthreads; i++) {
        if (srv->threads[i].started) {
            pthread_join(srv->threads[i].tid, NULL);
            srv->threads[i].started = 0;
        }
    }
    if (srv->listen_fd >= 0) {
        close(srv->listen_fd);
        srv->listen_fd = -1;
    }
    login_logf(srv, LOGIN_LOG_INFO, "stopped");
    login_server_unref(srv);
}
