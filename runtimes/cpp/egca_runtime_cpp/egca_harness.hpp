/* EGCA C++ Run harness: what the generated stubs and the test code see
 * (see runtimes/cpp/README.md, "Trusted verdicts"). */
#ifndef EGCA_HARNESS_HPP
#define EGCA_HARNESS_HPP
#include <sys/types.h>
#include <cstddef>
#include "egca_wire.hpp"

namespace egca_h {
[[noreturn]] void test_fail(const char *expr, int line);
[[noreturn]] void bad_reply(const char *what);

struct Call {
    char name[128];
    char sym[64];
    int fd;
    pid_t pid;
    char *buf;
    std::size_t len, cap;
    egca_wire::In in;
    Call(const char *name, const char *sym);
    ~Call();
    Call(const Call &) = delete;
    Call &operator=(const Call &) = delete;
    /* Forks the call child; in the child, never returns: closes every fd but 0-2 and
     * the reply pipe, unmaps the harness's code and constants, loads the candidate,
     * and runs its generated entry `sym(args, fd)`, which replies and exits. */
    void call(void **args);
    /* The caller's side, after call(): the reply within the deadline, else the test fails. */
    template <class T> void get(T &v) { egca_wire::get(in, v); }
    void done();
};

int harness_main(int argc, char **argv, void (*const *tests)(), int ntests);
}  // namespace egca_h
#endif
