/* EGCA C++ Run: the call child's path (see egca_harness.cc). Plain C in its own shared
 * object (libegca_cpp_child.so), because it keeps running after the harness
 * executable's code and constants are unmapped: the harness executable carries its
 * own (static) C++ library, so nothing the candidate loads ever binds to its code. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "egca_no_processes.h"

#define CHAN 3

static int unmap_harness(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    if (info->dlpi_name && info->dlpi_name[0]) return 0;         /* the executable only */
    long pg = sysconf(_SC_PAGESIZE);
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        /* its code and read-only data (test code, literals, constants); never the first
         * segment (ELF header, dynamic symbols the loader still needs) nor writable data */
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || ph->p_offset == 0) continue;
        uintptr_t a = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(pg - 1);
        uintptr_t b = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + pg - 1) & ~(uintptr_t)(pg - 1);
        munmap((void *)a, b - a);
    }
    return 1;
}

/* Keeps only fds 0-2 and the reply pipe (as fd 3), unmaps the runner<->test result page
 * and the harness executable's code and constants, loads the candidate, and runs its
 * generated entry `sym(args, 3)`, which replies and exits. */
__attribute__((noreturn)) void egca_child_call(const char *prog_path, const char *sym_name, void **args, int reply_fd,
                                               void *hot, void *res, size_t res_size) {
    char path[512], sym[64];
    snprintf(path, sizeof path, "%s", prog_path);
    snprintf(sym, sizeof sym, "%s", sym_name);
    setpgid(0, 0);
    dup2(reply_fd, CHAN);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    closefrom(4);
    munmap(res, res_size);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    dl_iterate_phdr(unmap_harness, NULL);
    egca_no_processes();                /* before the program is loaded: its constructors too */
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) { fprintf(stderr, "egca: cannot load the program: %s\n", dlerror()); _exit(121); }
    void (*attach)(void *) = (void (*)(void *))dlsym(h, "egca_rt_attach");
    if (attach) attach(hot);
    void (*entry)(void **, int) = (void (*)(void **, int))dlsym(h, sym);
    if (!entry) { fprintf(stderr, "egca: the program defines no entry %s\n", sym); _exit(122); }
    srand(0);
    entry(args, CHAN);
    _exit(123);
}
