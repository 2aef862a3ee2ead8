/* EGCA native runtimes: the clock and the bounded wait for a test's process, shared by
 * the C and C++ runners (Trace) and Run harnesses. */
#ifndef EGCA_WAIT_H
#define EGCA_WAIT_H

#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>

static inline double egca_now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Waits for the child `pid` (the leader of its own process group) until `deadline`
 * (egca_now_s() seconds): past it, kills the group and reaps the child. `chld` holds
 * SIGCHLD, blocked by the caller, so the wait wakes when the child ends instead of at the
 * next 50 ms slice. Then kills whatever the child left in its group. *status gets
 * waitpid's status; returns 1 when the child ran out of time. */
static inline int egca_wait_child(pid_t pid, double deadline, const sigset_t *chld, int *status) {
    int timed_out = 0;
    for (;;) {
        if (waitpid(pid, status, WNOHANG) == pid) break;
        double left = deadline - egca_now_s();
        if (left <= 0) {
            kill(-pid, SIGKILL); kill(pid, SIGKILL);
            waitpid(pid, status, 0);
            timed_out = 1;
            break;
        }
        struct timespec ts = {0, left > 0.05 ? 50000000 : (long)(left * 1e9)};
        sigtimedwait(chld, NULL, &ts);
    }
    kill(-pid, SIGKILL);
    return timed_out;
}

#endif
