/*
 * test_host.c — the services of host.c that a plugin may call from any
 * thread: cursors (ABI 1.2) over an in-memory and an indexed dataset,
 * error(), log() and progress().  Run under ThreadSanitizer in CI
 * (.ci/run): the threads here must share nothing unsynchronised.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "event_cursor.h"
#include "host_internal.h"

/* ---- a generated dataset: every member, Unicode, sources cited three ways ---- */

#define N_EVENTS 3000
#define N_SOURCES 40

static void gen_event(chronicle_buf *b, size_t i)
{
    static const char *const cc[] = {"AZ", "FR", "RU", "CN", "GE"};
    static const char *const kinds[] = {"concert", "exhibition", "lecture", "wreath laying"};
    chronicle_buf_appendf(
        b,
        "{\"id\":\"ev-%zu\",\"title\":\"Event %zu — «Ünïcödé» 事件\","
        "\"date\":\"%04zu-%02zu-%02zu\","
        "\"location\":{\"venue\":\"Hall %zu\",\"city\":\"Şəki\",\"country\":\"Country %s\","
        "\"country_code\":\"%s\"},"
        "\"occasion\":{\"subject\":\"Subject %zu\",\"of_date\":\"1992-02-26\","
        "\"anniversary\":%zu},\"organizers\":[\"Org %zu\",\"Org X\"],\"audience\":[\"students\"],"
        "\"tags\":[\"t%zu\"],\"sources\":[\"s%zu\"],\"summary\":\"Summary of %zu: %.*s\",",
        i, i, 2000 + i % 24, 1 + i % 12, 1 + i % 28, i % 7, cc[i % 5], cc[i % 5], i % 11, i % 90,
        i % 13, i % 5, i % N_SOURCES, i, (int)(i % 200),
        "lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip");
    chronicle_buf_appendf(b,
                          "\"participants\":[{\"name\":\"Анна %zu\",\"role\":\"speaker\","
                          "\"organization\":\"O\",\"spoke\":true},{\"name\":\"P %zu\"}],"
                          "\"activities\":[{\"kind\":\"%s\",\"title\":\"A %zu\","
                          "\"performers\":[\"choir\",\"band %zu\"]},{\"kind\":\"%s\"}],",
                          i % 17, i, kinds[i % 4], i, i % 3, kinds[(i + 1) % 4]);
    chronicle_buf_appendf(b,
                          "\"statements\":[{\"speaker\":\"Анна %zu\",\"summary\":\"said %zu\","
                          "\"quote\":\"“quoted” %zu\",\"source\":\"s%zu\"}],"
                          "\"figures\":[{\"label\":\"people\",\"value\":%zu.5,\"unit\":\"persons\","
                          "\"source\":\"s%zu\"}]}",
                          i % 17, i, i, (i + 1) % N_SOURCES, i * 3, (i + 2) % N_SOURCES);
}

static char *write_dataset(void)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b,
                       "{\"schema\":\"chronicle/events@1\",\"title\":\"Threads\",\"sources\":[");
    for (size_t s = 0; s < N_SOURCES; s++)
        chronicle_buf_appendf(&b,
                              "%s{\"id\":\"s%zu\",\"outlet\":\"Outlet %zu\",\"document\":\"d%zu\","
                              "\"published\":\"2023-02-%02zu\"}",
                              s ? "," : "", s, s, s, 1 + s % 28);
    chronicle_buf_puts(&b, "],\"events\":[");
    for (size_t i = 0; i < N_EVENTS; i++) {
        if (i) chronicle_buf_puts(&b, ",");
        gen_event(&b, i);
    }
    chronicle_buf_puts(&b, "]}");
    assert_non_null(b.ptr);
    char *path = strdup("/tmp/chronicle-test-host-XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, b.ptr, b.len), (ssize_t)b.len);
    close(fd);
    chronicle_buf_free(&b);
    return path;
}

/* ---- a job as the child runs it, without a plugin ---- */

typedef struct fixture {
    char *path;
    chronicle_diag *diag;
    chronicle_dataset *ds;
    const chronicle_event **events;
    chronicle_job *job;
} fixture;

static void open_job(fixture *f, int indexed)
{
    chronicle_load_opts opts = {.indexed = indexed};
    assert_int_equal(chronicle_dataset_load(f->path, &opts, &f->ds, f->diag), CHRONICLE_OK);
    size_t n = chronicle_dataset_event_count(f->ds);
    assert_int_equal(n, N_EVENTS);
    assert_non_null(f->events = calloc(n, sizeof *f->events));
    for (size_t i = 0; i < n; i++)
        f->events[i] = chronicle_dataset_event(f->ds, i);
    f->job->ds = f->ds;
    f->job->events = f->events;
    f->job->n_events = n;
    f->job->msg_fd = -1;
    if (indexed) assert_non_null(f->job->reader = chronicle__event_cursor_open(f->ds));
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->diag = chronicle_diag_new(0)) ||
        !(f->job = chronicle__job_new(NULL, NULL, NULL)))
        return -1;
    f->path = write_dataset();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    chronicle__job_free(f->job);
    free(f->events);
    chronicle_dataset_free(f->ds);
    chronicle_diag_free(f->diag);
    unlink(f->path);
    free(f->path);
    free(f);
    return 0;
}

/* ---- every member of an event, as text, hashed ---- */

static void put_str(chronicle_buf *b, chronicle_str s)
{
    if (!s.ptr) {
        chronicle_buf_puts(b, "<absent>|");
        return;
    }
    assert_int_equal(s.ptr[s.len], '\0');
    chronicle_buf_appendf(b, "%zu:%s|", s.len, s.ptr);
}

static void put_strs(chronicle_buf *b, const chronicle_str *v, size_t n)
{
    chronicle_buf_appendf(b, "[%zu]", n);
    for (size_t i = 0; i < n; i++)
        put_str(b, v[i]);
}

static void put_source(chronicle_buf *b, const chronicle_source *s)
{
    put_str(b, s->id);
    put_str(b, s->outlet);
    put_str(b, s->published);
    put_str(b, s->document);
    chronicle_buf_appendf(b, "%u|", s->published_ymd);
}

static void put_event(chronicle_buf *b, const chronicle_event *e)
{
    chronicle_buf_appendf(b, "%u %u %u %d|", e->struct_size, e->date_ymd, e->end_date_ymd,
                          e->anniversary);
    chronicle_str strs[] = {
        e->id,   e->title,   e->date,         e->end_date, e->summary,         e->venue,
        e->city, e->country, e->country_code, e->occasion, e->occasion_of_date};
    for (size_t i = 0; i < sizeof strs / sizeof *strs; i++)
        put_str(b, strs[i]);
    put_strs(b, e->organizers, e->n_organizers);
    put_strs(b, e->audience, e->n_audience);
    put_strs(b, e->tags, e->n_tags);
    for (size_t i = 0; i < e->n_participants; i++) {
        const chronicle_participant *p = e->participants[i];
        chronicle_buf_appendf(b, "P%d|", p->spoke);
        put_str(b, p->name);
        put_str(b, p->role);
        put_str(b, p->organization);
    }
    for (size_t i = 0; i < e->n_activities; i++) {
        const chronicle_activity *a = e->activities[i];
        put_str(b, a->kind);
        put_str(b, a->title);
        put_str(b, a->description);
        put_strs(b, a->performers, a->n_performers);
    }
    for (size_t i = 0; i < e->n_statements; i++) {
        const chronicle_statement *s = e->statements[i];
        put_str(b, s->speaker);
        put_str(b, s->summary);
        put_str(b, s->quote);
        put_source(b, s->source);
    }
    for (size_t i = 0; i < e->n_figures; i++) {
        const chronicle_figure *fg = e->figures[i];
        chronicle_buf_appendf(b, "F%.17g|", fg->value);
        put_str(b, fg->label);
        put_str(b, fg->unit);
        put_str(b, fg->note);
        put_source(b, fg->source);
    }
    for (size_t i = 0; i < e->n_sources; i++)
        put_source(b, e->sources[i]);
}

static uint64_t event_hash(const chronicle_event *e)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    put_event(&b, e);
    assert_non_null(b.ptr);
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (size_t i = 0; i < b.len; i++)
        h = (h ^ (unsigned char)b.ptr[i]) * 0x100000001b3u;
    chronicle_buf_free(&b);
    return h;
}

/* ---- two threads, two cursors ---- */

typedef struct reader_thread {
    chronicle_job *job;
    size_t start;   /* where this thread begins; it wraps round to read every event */
    uint64_t *hash; /* per event */
    int null_past_end;
    pthread_t thread;
} reader_thread;

static void *read_all(void *arg)
{
    reader_thread *t = arg;
    chronicle_job *job = t->job;
    size_t n = chronicle__host_table.event_count(job);
    chronicle_cursor *c = chronicle__host_table.cursor_open(job);
    if (!c) return NULL;
    for (size_t k = 0; k < n; k++) {
        size_t i = (t->start + k) % n;
        const chronicle_event *e = chronicle__host_table.cursor_event(c, i);
        t->hash[i] = e ? event_hash(e) : 0;
        /* the other thread-safe services, meanwhile */
        if (k % 500 == 0) chronicle__host_table.log(job, CHRONICLE_LOG_DEBUG, "read %zu", k);
        chronicle__host_table.progress(job, k + 1, n);
        (void)chronicle__host_table.cancelled(job);
    }
    t->null_past_end = chronicle__host_table.cursor_event(c, n) == NULL;
    chronicle__host_table.cursor_close(c);
    return NULL;
}

static void read_on_two_threads(fixture *f)
{
    size_t n = f->job->n_events;
    reader_thread t[2];
    for (int k = 0; k < 2; k++) {
        t[k] = (reader_thread){.job = f->job, .start = k * n / 2};
        assert_non_null(t[k].hash = calloc(n, sizeof *t[k].hash));
        assert_int_equal(pthread_create(&t[k].thread, NULL, read_all, &t[k]), 0);
    }
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_join(t[k].thread, NULL), 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t want = event_hash(chronicle__host_table.event_at(f->job, i));
        assert_true(t[0].hash[i] == want);
        assert_true(t[1].hash[i] == want);
    }
    for (int k = 0; k < 2; k++) {
        assert_true(t[k].null_past_end);
        free(t[k].hash);
    }
    assert_int_equal(f->job->failed, CHRONICLE_OK);
    assert_false(chronicle__host_table.cancelled(f->job));
}

static void test_cursors_on_two_threads_read_the_model_as_event_at(void **state)
{
    fixture *f = *state;
    open_job(f, 0);
    read_on_two_threads(f);
    /* the model's events themselves: nothing to copy */
    chronicle_cursor *c = chronicle__host_table.cursor_open(f->job);
    assert_ptr_equal(chronicle__host_table.cursor_event(c, 7),
                     chronicle__host_table.event_at(f->job, 7));
    chronicle__host_table.cursor_close(c);
}

static void test_cursors_on_two_threads_read_an_indexed_dataset_as_event_at(void **state)
{
    fixture *f = *state;
    open_job(f, 1);
    read_on_two_threads(f);
}

/* One read per job: the first reads of the events (two cursors on two
 * threads, then event_at()) fill the job's cache; every later read, through
 * event_at() or a cursor, unpacks it instead of reading the file again
 * (here the file is cut short after the first pass, and nothing fails),
 * and gives the very event the whole model holds. */
static void test_indexed_job_reads_each_event_once(void **state)
{
    fixture *f = *state;
    chronicle_dataset *whole = NULL;
    assert_int_equal(chronicle_dataset_load(f->path, NULL, &whole, f->diag), CHRONICLE_OK);
    open_job(f, 1);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dir >= 0);
    assert_non_null(f->job->cache = chronicle__event_cache_new(f->job->n_events, dir));
    close(dir);
    read_on_two_threads(f);
    assert_int_equal(truncate(f->path, 100), 0);
    chronicle_cursor *c = chronicle__host_table.cursor_open(f->job);
    for (size_t i = 0; i < f->job->n_events; i++) {
        uint64_t want = event_hash(chronicle_dataset_event(whole, i));
        assert_true(event_hash(chronicle__host_table.event_at(f->job, i)) == want);
        assert_true(event_hash(chronicle__host_table.cursor_event(c, i)) == want);
    }
    chronicle__host_table.cursor_close(c);
    assert_int_equal(f->job->failed, CHRONICLE_OK);
    chronicle_dataset_free(whole);
}

/* A reader's packed events wait in its batch until the batch is full or
 * the reader closes; reading one of them again, the reader writes its
 * batch first, so it is found in the cache: here event_at() reads every
 * event (fewer than a batch holds), the file is cut short, and a second
 * pass of event_at() still reads every event, from the cache. */
static void test_a_reader_finds_its_own_packed_events(void **state)
{
    fixture *f = *state;
    open_job(f, 1);
    int dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(dir >= 0);
    assert_non_null(f->job->cache = chronicle__event_cache_new(f->job->n_events, dir));
    close(dir);
    size_t n = f->job->n_events;
    uint64_t *want = calloc(n, sizeof *want);
    assert_non_null(want);
    for (size_t i = 0; i < n; i++)
        want[i] = event_hash(chronicle__host_table.event_at(f->job, i));
    assert_true(f->job->mem.batch.n > 0); /* not written yet */
    assert_int_equal(truncate(f->path, 100), 0);
    for (size_t i = 0; i < n; i++)
        assert_true(event_hash(chronicle__host_table.event_at(f->job, i)) == want[i]);
    assert_int_equal(f->job->mem.batch.n, 0);
    assert_int_equal(f->job->failed, CHRONICLE_OK);
    free(want);
}

static void test_cursors_own_their_event_memory(void **state)
{
    fixture *f = *state;
    open_job(f, 1);
    chronicle_cursor *a = chronicle__host_table.cursor_open(f->job),
                     *b = chronicle__host_table.cursor_open(f->job);
    assert_non_null(a);
    assert_non_null(b);
    uint64_t want = event_hash(chronicle__host_table.event_at(f->job, 3));
    const chronicle_event *e = chronicle__host_table.cursor_event(a, 3);
    /* reading with the other cursor, and with event_at(), leaves a's event whole */
    for (size_t i = 0; i < 50; i++) {
        (void)chronicle__host_table.cursor_event(b, i);
        (void)chronicle__host_table.event_at(f->job, i + 100);
    }
    assert_true(event_hash(e) == want);
    chronicle__host_table.cursor_close(a);
    chronicle__host_table.cursor_close(b);
    chronicle__host_table.cursor_close(NULL);
}

/* ---- failures: as event_at(), and messages whole ---- */

typedef struct frame {
    char type;
    uint32_t code;
    char *text;
    size_t len;
} frame;

static int read_full(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t k = read(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        c += k;
        n -= (size_t)k;
    }
    return 1;
}

/* The next frame on fd (host_internal.h: type, u32 length, u32 code, text); 0 at the end. */
static int read_frame(int fd, frame *fr)
{
    char head[5];
    uint32_t len;
    if (!read_full(fd, head, 5)) return 0;
    fr->type = head[0];
    memcpy(&len, head + 1, 4);
    assert_true(len >= 4);
    assert_true(read_full(fd, &fr->code, 4));
    fr->len = len - 4;
    assert_non_null(fr->text = malloc(fr->len + 1));
    assert_true(read_full(fd, fr->text, fr->len));
    fr->text[fr->len] = '\0';
    return 1;
}

static void test_cursor_fails_as_event_at_when_the_file_shrinks(void **state)
{
    fixture *f = *state;
    open_job(f, 1);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    f->job->msg_fd = fds[1];
    chronicle_cursor *c = chronicle__host_table.cursor_open(f->job);
    assert_non_null(chronicle__host_table.cursor_event(c, 0));
    assert_int_equal(truncate(f->path, 100), 0);
    const chronicle_event *stub = f->events[N_EVENTS - 1];
    const chronicle_event *e = chronicle__host_table.cursor_event(c, N_EVENTS - 1);
    /* the right id and date, and nothing else; the job failed and is cancelled */
    assert_non_null(e);
    assert_string_equal(e->id.ptr, stub->id.ptr);
    assert_int_equal(e->date_ymd, stub->date_ymd);
    assert_int_equal(e->n_participants, 0);
    assert_string_equal(e->title.ptr, "");
    assert_int_equal(f->job->failed, CHRONICLE_ERR_IO);
    assert_true(chronicle__host_table.cancelled(f->job));
    /* once failed, no more reading: stand-ins, and no second message */
    e = chronicle__host_table.cursor_event(c, 1);
    assert_string_equal(e->id.ptr, f->events[1]->id.ptr);
    chronicle__host_table.cursor_close(c);
    close(fds[1]);
    frame fr;
    assert_true(read_frame(fds[0], &fr));
    assert_int_equal(fr.type, MSG_ERROR);
    assert_int_equal(fr.code, CHRONICLE_ERR_IO);
    assert_non_null(strstr(fr.text, "shorter than when it was loaded"));
    free(fr.text);
    assert_false(read_frame(fds[0], &fr));
    close(fds[0]);
}

/* Two threads log messages longer than a pipe writes at once (PIPE_BUF)
 * and race for progress(); the reader sees whole frames only, and at most
 * ten progress updates a second plus the last ones. */
#define BIG 20000
#define N_LOGS 200
#define N_PROGRESS 200000

typedef struct logger_thread {
    chronicle_job *job;
    char letter;
    pthread_t thread;
} logger_thread;

static void *log_and_progress(void *arg)
{
    logger_thread *t = arg;
    char *text = malloc(BIG + 1);
    if (!text) return NULL;
    memset(text, t->letter, BIG);
    text[BIG] = '\0';
    for (int i = 0; i < N_LOGS; i++)
        chronicle__host_table.log(t->job, CHRONICLE_LOG_INFO, "%s", text);
    for (uint64_t i = 1; i <= N_PROGRESS; i++)
        chronicle__host_table.progress(t->job, i, N_PROGRESS);
    chronicle__host_table.error(t->job, t->letter == 'a' ? CHRONICLE_ERR_DATA : CHRONICLE_ERR_IO,
                                "%c", t->letter);
    free(text);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void test_messages_from_two_threads_arrive_whole(void **state)
{
    fixture *f = *state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    f->job->msg_fd = fds[1];
    double start = now_s();
    logger_thread t[2] = {{.job = f->job, .letter = 'a'}, {.job = f->job, .letter = 'b'}};
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_create(&t[k].thread, NULL, log_and_progress, &t[k]), 0);
    size_t logs[2] = {0}, progress = 0, finals = 0, errors = 0;
    uint32_t codes[2];
    frame fr;
    while (logs[0] + logs[1] < 2 * N_LOGS || errors < 2) {
        assert_true(read_frame(fds[0], &fr));
        if (fr.type == MSG_LOG) {
            assert_int_equal(fr.len, BIG);
            assert_true(fr.text[0] == 'a' || fr.text[0] == 'b');
            for (size_t i = 1; i < fr.len; i++)
                assert_int_equal(fr.text[i], fr.text[0]);
            logs[fr.text[0] - 'a']++;
        } else if (fr.type == MSG_PROGRESS) {
            uint64_t v[2];
            memcpy(v, &fr.code, 4);
            memcpy((char *)v + 4, fr.text, 12);
            progress++;
            finals += v[0] == v[1];
        } else {
            assert_int_equal(fr.type, MSG_ERROR);
            codes[errors++] = fr.code;
        }
        free(fr.text);
    }
    double took = now_s() - start;
    for (int k = 0; k < 2; k++)
        assert_int_equal(pthread_join(t[k].thread, NULL), 0);
    assert_int_equal(logs[0], N_LOGS);
    assert_int_equal(logs[1], N_LOGS);
    assert_int_equal(finals, 2);
    assert_true(progress <= finals + 1 + (size_t)(took * 10));
    /* the first error() decides the job's status, and every error says so */
    assert_true(f->job->failed == CHRONICLE_ERR_DATA || f->job->failed == CHRONICLE_ERR_IO);
    assert_int_equal(codes[0], f->job->failed);
    assert_int_equal(codes[1], f->job->failed);
    close(fds[1]);
    close(fds[0]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cursors_on_two_threads_read_the_model_as_event_at,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            test_cursors_on_two_threads_read_an_indexed_dataset_as_event_at, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_reader_finds_its_own_packed_events, setup, teardown),
        cmocka_unit_test_setup_teardown(test_indexed_job_reads_each_event_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursors_own_their_event_memory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cursor_fails_as_event_at_when_the_file_shrinks, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_messages_from_two_threads_arrive_whole, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
