/* EGCA native runtimes: a candidate's code may not start processes.
 *
 * A process the candidate starts inherits the fds of the call or test that started it
 * and can outlive it: it could write into a reply pipe or the trace channel after the
 * harness has decided what was in it, and whether its bytes land before or after the
 * harness stops reading is a matter of scheduling, so one run would differ from the
 * next. Called in a call or test child, just before the candidate's code is loaded or
 * run, egca_no_processes() installs a seccomp filter on that process (and everything
 * it would start): fork(), vfork() and clone() without CLONE_THREAD fail with EPERM,
 * clone3() with ENOSYS (so the C library falls back to clone(), where threads are still
 * allowed). Threads cannot outlive the process: they end with it.
 *
 * A kernel without seccomp filters gets RLIMIT_NPROC 0 instead (processes and threads
 * both fail): lowering a limit always succeeds, and the sandbox never runs a candidate
 * as root, the one uid that limit does not hold. */
#ifndef EGCA_NO_PROCESSES_H
#define EGCA_NO_PROCESSES_H

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#ifndef CLONE_THREAD
#define CLONE_THREAD 0x00010000
#endif

#if defined(__x86_64__)
#define EGCA_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define EGCA_AUDIT_ARCH AUDIT_ARCH_AARCH64
#endif

static inline void egca_no_processes(void) {
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0) {
#ifdef EGCA_AUDIT_ARCH
        struct sock_filter code[] = {
            /* another ABI's syscall numbers (x32, i386 through int 0x80): refuse them all */
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, EGCA_AUDIT_ARCH, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __x86_64__
            BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1),      /* x32 */
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#endif
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
#ifdef __NR_fork
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_fork, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
#ifdef __NR_vfork
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_vfork, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
#endif
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 3),
            /* clone(flags, ...): the low 32 bits of the flags hold CLONE_THREAD */
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
            BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
        if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) == 0) return;
#endif
    }
    struct rlimit none = {0, 0};
    setrlimit(RLIMIT_NPROC, &none);
}

#endif
