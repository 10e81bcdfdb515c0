// SPDX-License-Identifier: Apache-2.0
// A TCP proxy on loopback that delays every byte by a fixed time in each direction: a network
// round trip for the benchmarks, on a kernel without netem. It also counts the exchanges the
// client waited on: a client-to-server burst that follows server-to-client data on the same
// connection (the first burst of a connection counts too). Usage:
//   delay-proxy LISTEN_PORT TARGET_PORT ONE_WAY_DELAY_US
// Prints "listening on PORT" once ready. On SIGUSR1 prints "exchanges N connections C" with
// the totals so far (the bench reads it before and after each run).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CHUNK 65536

struct chunk {
    struct chunk* next;
    int64_t due_us;
    size_t length, sent;
    char data[];
};

// One direction of one connection: what was read from `from`, waiting to be written to `to`.
struct pipe_half {
    int from, to;
    struct chunk *head, *tail;
    int closed;  // `from` reached EOF: shut `to` down once the queue is empty
};

struct link {
    struct pipe_half up, down;  // up: client to server
    int last_was_down;          // the client saw server data since its last burst
    int dead;
};

static volatile sig_atomic_t report_wanted = 0;
static uint64_t exchanges = 0, connections = 0;
static int64_t delay_us = 0;

static int64_t now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static void on_usr1(int sig) {
    (void)sig;
    report_wanted = 1;
}

static int nonblocking(int fd) {
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

static void add(int epoll, int fd, void* owner) {
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = owner};
    epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event);
}

// Reads what `half.from` has, queued for now + delay. Returns -1 on EOF or error.
static int take_in(struct link* link, struct pipe_half* half) {
    char buffer[CHUNK];
    ssize_t n = read(half->from, buffer, sizeof buffer);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return -1;
    if (n < 0) return 0;
    if (half == &link->up) {
        if (link->last_was_down) ++exchanges;
        link->last_was_down = 0;
    } else {
        link->last_was_down = 1;
    }
    struct chunk* c = malloc(sizeof *c + (size_t)n);
    c->next = NULL;
    c->due_us = now_us() + delay_us;
    c->length = (size_t)n;
    c->sent = 0;
    memcpy(c->data, buffer, (size_t)n);
    if (half->tail) half->tail->next = c; else half->head = c;
    half->tail = c;
    return 0;
}

// Writes every chunk that is due; returns the next due time, or INT64_MAX.
static int64_t give_out(struct pipe_half* half, int64_t now) {
    while (half->head && half->head->due_us <= now) {
        struct chunk* c = half->head;
        ssize_t n = write(half->to, c->data + c->sent, c->length - c->sent);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR) return now + 100;  // the peer is slow: retry soon
            return INT64_MAX;
        }
        c->sent += (size_t)n;
        if (c->sent < c->length) return now + 100;
        half->head = c->next;
        if (!half->head) half->tail = NULL;
        free(c);
    }
    if (!half->head && half->closed) {
        shutdown(half->to, SHUT_WR);
        half->closed = 2;
    }
    return half->head ? half->head->due_us : INT64_MAX;
}

int main(int argc, char** argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: delay-proxy LISTEN_PORT TARGET_PORT ONE_WAY_DELAY_US\n");
        return 2;
    }
    const int listen_port = atoi(argv[1]);
    const int target_port = atoi(argv[2]);
    delay_us = atoll(argv[3]);
    signal(SIGPIPE, SIG_IGN);
    struct sigaction usr1 = {.sa_handler = on_usr1};
    sigaction(SIGUSR1, &usr1, NULL);

    int listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((uint16_t)listen_port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (bind(listener, (struct sockaddr*)&address, sizeof address) != 0 || listen(listener, 512) != 0) {
        perror("delay-proxy: listen");
        return 1;
    }
    socklen_t length = sizeof address;
    getsockname(listener, (struct sockaddr*)&address, &length);
    printf("listening on %d\n", ntohs(address.sin_port));
    fflush(stdout);

    int epoll = epoll_create1(0);
    add(epoll, listener, NULL);
    struct link** links = NULL;
    size_t link_count = 0;
    for (;;) {
        if (report_wanted) {
            report_wanted = 0;
            printf("exchanges %llu connections %llu\n", (unsigned long long)exchanges,
                   (unsigned long long)connections);
            fflush(stdout);
        }
        int64_t now = now_us(), next = INT64_MAX;
        for (size_t i = 0; i < link_count; ++i) {
            struct link* l = links[i];
            if (l->dead) continue;
            int64_t a = give_out(&l->up, now), b = give_out(&l->down, now);
            if (a < next) next = a;
            if (b < next) next = b;
            if (l->up.closed == 2 && l->down.closed == 2) {
                close(l->up.from);
                close(l->down.from);
                l->dead = 1;
            }
        }
        // Never block for long: a SIGUSR1 that lands between the check above and the wait
        // would otherwise wait for the next byte.
        int timeout_ms = 5;
        if (next != INT64_MAX) {
            int64_t wait = next - now_us();
            timeout_ms = wait <= 0 ? 0 : (int)((wait + 999) / 1000);
            if (timeout_ms > 5) timeout_ms = 5;
        }
        struct epoll_event events[64];
        // epoll's millisecond resolution would round a 500 us delay up: wait the last
        // stretch with a precise sleep instead.
        if (timeout_ms == 1 && next != INT64_MAX) {
            int n = epoll_wait(epoll, events, 64, 0);
            if (n == 0) {
                int64_t wait = next - now_us();
                if (wait > 0) {
                    struct timespec t = {.tv_sec = 0, .tv_nsec = (long)wait * 1000};
                    nanosleep(&t, NULL);
                }
                continue;
            }
        }
        int n = epoll_wait(epoll, events, 64, timeout_ms);
        for (int e = 0; e < n; ++e) {
            if (events[e].data.ptr == NULL) {
                int client = accept(listener, NULL, NULL);
                if (client < 0) continue;
                int server = socket(AF_INET, SOCK_STREAM, 0);
                struct sockaddr_in target = {.sin_family = AF_INET, .sin_port = htons((uint16_t)target_port),
                                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
                if (connect(server, (struct sockaddr*)&target, sizeof target) != 0) {
                    close(client);
                    close(server);
                    continue;
                }
                setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                nonblocking(client);
                nonblocking(server);
                struct link* l = calloc(1, sizeof *l);
                l->up.from = client;
                l->up.to = server;
                l->down.from = server;
                l->down.to = client;
                l->last_was_down = 1;  // the first burst counts
                ++connections;
                links = realloc(links, (link_count + 1) * sizeof *links);
                links[link_count++] = l;
                add(epoll, client, &l->up);
                add(epoll, server, &l->down);
                continue;
            }
            struct pipe_half* half = events[e].data.ptr;
            struct link* l = NULL;
            for (size_t i = 0; i < link_count && !l; ++i) {
                if (&links[i]->up == half || &links[i]->down == half) l = links[i];
            }
            if (!l || half->closed) continue;
            if (take_in(l, half) < 0) {
                half->closed = 1;
                epoll_ctl(epoll, EPOLL_CTL_DEL, half->from, NULL);
            }
        }
    }
}
