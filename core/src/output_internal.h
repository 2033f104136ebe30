/*
 * output_internal.h — the output layer (output.c): where a job writes, how
 * its file is made and committed, and the writer that carries the plugin's
 * bytes to it.
 */
#ifndef CHRONICLE_OUTPUT_INTERNAL_H
#define CHRONICLE_OUTPUT_INTERNAL_H

#include <stddef.h>
#include <sys/stat.h>

#include "chronicle/plugin.h"
#include "chronicle/strbuf.h"

/* Where a job's output goes. */
typedef enum chronicle_output_kind {
    OUTPUT_FILE,   /* a regular file, replaced atomically by a complete one */
    OUTPUT_STDOUT, /* standard output (-o -), written through */
    OUTPUT_STREAM  /* an existing character device or FIFO, written through */
} chronicle_output_kind;

/* Output (output.c).  chronicle__output_plan() settles where a job writes, before
 * any work: CHRONICLE_ERR_OPTION for a destination that is an input (keep)
 * or a stream the plugin cannot write, CHRONICLE_ERR_IO for one that
 * cannot be written (a symlink, a block device, a socket).  The others run
 * in the parent around the job: prepare before fork, then commit or
 * discard once the job's process group is gone. */
chronicle_status chronicle__output_plan(chronicle_job *job, const struct stat *keep, size_t n_keep,
                                        chronicle_buf *why);
chronicle_status chronicle__output_prepare(chronicle_job *job, chronicle_buf *why);
chronicle_status chronicle__output_commit(chronicle_job *job, chronicle_buf *why);
void chronicle__output_discard(chronicle_job *job);

/* Removes the scratch directories (.chronicle-*) that dead runs left in
 * dir_fd: only ours, only unlocked.  Each removal is one line in said. */
void chronicle__output_sweep(int dir_fd, const char *dir, chronicle_buf *said);

/* Writes all n bytes to fd, again after EINTR; 1, or 0 with errno set. */
int chronicle__write_all(int fd, const void *p, size_t n);

/* The writer of a job's output, in the job's child: the plugin's bytes are
 * gathered in two buffers, and a full one is written by a thread of its own
 * while the plugin fills the other.  One thread (the plugin's) calls these;
 * the writer's thread only writes. */
typedef struct chronicle__writer chronicle__writer;

/* A writer to fd; writeback: fd is a file being made, whose pages are
 * handed to the kernel's writeback as they are written.  NULL when out of
 * memory. */
chronicle__writer *chronicle__writer_new(int fd, int writeback);
/* Takes len bytes.  0, or the errno of the first write that failed (the
 * same one on every later call). */
int chronicle__writer_write(chronicle__writer *w, const void *buf, size_t len);
/* Writes what is buffered and waits for it: 0, or the first failure. */
int chronicle__writer_flush(chronicle__writer *w);
/* Stops the thread and frees the buffers; what was not flushed is lost.
 * NULL is a no-op. */
void chronicle__writer_free(chronicle__writer *w);

#endif
