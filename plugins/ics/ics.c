/*
 * ics.c — RFC 5545 iCalendar (formats/ics.md): one VCALENDAR, one all-day
 * VEVENT per event, its description carrying the organisers, the attributed
 * statements and figures and the sources.  Every content line is built
 * whole, then folded at 75 octets (never inside a UTF-8 sequence) and ended
 * with CRLF.  Third-party style: it includes only <chronicle/plugin.h>, and
 * <chronicle/utf8.h> for the one shared cleaner of bidirectional controls.
 * The description's words, dates and numbers come from the host's wording
 * services in the report's language; the calendar is named for the
 * report's title; dates stay iCalendar dates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chronicle/plugin.h>
#include <chronicle/utf8.h>

#define FLUSH_AT (64 * 1024)
#define FOLD_AT 75 /* octets per physical line, CRLF excluded */
#define PROGRESS_EVERY 1000

static chronicle_status export_ics(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI(1, 2), /* the wording services */
    .name = "ics",
    .version = "1.0.0",
    .summary = "iCalendar (RFC 5545): one all-day event per event, claims attributed",
    .extension = "ics",
    .media_type = "text/calendar; charset=utf-8",
    .flags = CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT,
    .options = NULL,
    .export_dataset = export_ics,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* ---- a growable byte buffer (this plugin shares nothing with core) ---- */

typedef struct bytes {
    char *ptr;
    size_t len, cap;
} bytes;

/* Makes room for n more bytes. */
static int bytes_room(bytes *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->ptr, cap);
        if (!p) return 0;
        b->ptr = p;
        b->cap = cap;
    }
    return 1;
}

static int bytes_add(bytes *b, const char *s, size_t n)
{
    if (!bytes_room(b, n)) return 0;
    if (n) memcpy(b->ptr + b->len, s, n);
    b->len += n;
    return 1;
}

/* One export.  st is sticky: once a write or an allocation fails, every
 * later call is a no-op and the status is returned at the end. */
typedef struct ics {
    chronicle_job *job;
    const chronicle_host *host;
    bytes out;  /* folded lines not yet handed to host->write */
    bytes line; /* the content line being built, unfolded */
    bytes text; /* a TEXT value being built, unescaped (DESCRIPTION) */
    chronicle_status st;
} ics;

static void append(ics *c, bytes *b, const char *s, size_t n)
{
    if (c->st == CHRONICLE_OK && !bytes_add(b, s, n)) c->st = CHRONICLE_ERR_NOMEM;
}

static void flush(ics *c)
{
    if (c->st == CHRONICLE_OK && c->out.len) c->st = c->host->write(c->job, c->out.ptr, c->out.len);
    c->out.len = 0;
}

/* ---- content lines ---- */

/* Where to cut p before `room` octets: never inside a UTF-8 sequence, nor
 * (to spare lax readers) between a backslash and the character it escapes. */
static size_t cut_at(const char *p, size_t room)
{
    size_t cut = room;
    for (;;) {
        size_t slashes = 0;
        while (slashes < cut && p[cut - 1 - slashes] == '\\')
            slashes++;
        if (cut > 1 && (((unsigned char)p[cut] & 0xC0) == 0x80 || slashes % 2))
            cut--;
        else
            return cut;
    }
}

/* Emits c->line folded: at most 75 octets a line, continuation lines
 * starting with one space, then CRLF. */
static void end_line(ics *c)
{
    const char *p = c->line.ptr;
    size_t left = c->line.len, room = FOLD_AT;
    while (left > room) {
        size_t cut = cut_at(p, room);
        append(c, &c->out, p, cut);
        append(c, &c->out, "\r\n ", 3);
        p += cut;
        left -= cut;
        room = FOLD_AT - 1;
    }
    append(c, &c->out, p, left);
    append(c, &c->out, "\r\n", 2);
    c->line.len = 0;
    if (c->out.len >= FLUSH_AT) flush(c);
}

static void raw(ics *c, const char *s)
{
    append(c, &c->line, s, strlen(s));
}

static void line(ics *c, const char *s)
{
    raw(c, s);
    end_line(c);
}

/* TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newline. */
static void escaped_text(ics *c, const char *s, size_t n)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == ';'  ? "\\;"
                          : s[i] == ','  ? "\\,"
                          : s[i] == '\n' ? "\\n"
                                         : NULL;
        if (!esc) continue;
        append(c, &c->line, s + from, i - from);
        raw(c, esc);
        from = i + 1;
    }
    append(c, &c->line, s + from, n - from);
}

/* A TEXT value: escaped, and each bidirectional control shown as
 * "<U+202E>" (formats/ics.md) so it cannot reorder a calendar's line. */
static void escaped(ics *c, const char *s, size_t n)
{
    for (;;) {
        uint32_t cp;
        size_t k, at = chronicle_utf8_find_bidi(s, n, &cp, &k);
        escaped_text(c, s, at);
        if (at == n) return;
        char shown[CHRONICLE_BIDI_VISIBLE_LEN + 1];
        append(c, &c->line, shown, chronicle_bidi_visible(cp, shown));
        s += at + k;
        n -= at + k;
    }
}

static void property(ics *c, const char *name, chronicle_str value)
{
    raw(c, name);
    raw(c, ":");
    escaped(c, value.ptr, value.len);
    end_line(c);
}

/* ---- dates ---- */

static void date_property(ics *c, const char *name, uint32_t ymd)
{
    char s[64];
    snprintf(s, sizeof s, "%s;VALUE=DATE:%08u", name, (unsigned)ymd);
    line(c, s);
}

/* DTSTAMP: the host's timestamp (SOURCE_DATE_EPOCH when set) in UTC. */
static void stamp_property(ics *c, int64_t t)
{
    int64_t days = t / 86400, secs = t % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    char s[64];
    snprintf(s, sizeof s, "DTSTAMP:%08uT%02d%02d%02dZ", (unsigned)c->host->days_to_ymd(days),
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
    line(c, s);
}

/* ---- the description: plain text, escaped once when complete ---- */

static void say(ics *c, const char *s)
{
    append(c, &c->text, s, strlen(s));
}

static void say_str(ics *c, chronicle_str s)
{
    append(c, &c->text, s.ptr, s.len);
}

/* The 1.2 text services write like snprintf.  SAY_FORMATTED(c, call) runs
 * call, which writes at most `size` bytes at `at` (the end of c->text),
 * keeps what it wrote and, when the room was too small, makes room for all
 * of it and runs call again. */
#define SAY_FORMATTED(c, call)                                                                     \
    for (size_t size = 128, n_ = size; n_ >= size && (c)->st == CHRONICLE_OK;) {                   \
        size = n_ + 1;                                                                             \
        if (!bytes_room(&(c)->text, size)) {                                                       \
            (c)->st = CHRONICLE_ERR_NOMEM;                                                         \
            break;                                                                                 \
        }                                                                                          \
        char *at = (c)->text.ptr + (c)->text.len;                                                  \
        if ((n_ = (call)) < size) (c)->text.len += n_;                                             \
    }

/* "24 Feb 2023" in the report's language */
static void say_date(ics *c, uint32_t ymd)
{
    SAY_FORMATTED(c, c->host->format_date(c->job, at, size, ymd, CHRONICLE_DATE_SHORT));
}

/* "as reported by Trend, 24 Feb 2023" in the report's language */
static void say_attribution(ics *c, const chronicle_source *src)
{
    SAY_FORMATTED(c, c->host->format_attribution(c->job, at, size, src));
}

/* A heading in the description: "Statements:" (the label, a colon as the
 * language writes it) after a blank line. */
static void say_section(ics *c, const char *label_id)
{
    const char *label = c->host->label(c->job, label_id);
    if (c->text.len) say(c, "\n\n");
    SAY_FORMATTED(c, c->host->format_message(c->job, at, size, "plain.colon", &label, 1));
}

static void say_claims(ics *c, const chronicle_event *ev)
{
    if (ev->n_statements) say_section(c, "label.statements");
    for (size_t i = 0; i < ev->n_statements; i++) {
        const chronicle_statement *s = ev->statements[i];
        say(c, "\n- ");
        say_str(c, s->speaker);
        say(c, ": ");
        say_str(c, s->summary);
        if (s->quote.ptr) {
            say(c, " ");
            SAY_FORMATTED(
                c, c->host->format_message(c->job, at, size, "plain.quote", &s->quote.ptr, 1));
        }
        say(c, " (");
        say_attribution(c, s->source);
        say(c, ")");
    }
    if (ev->n_figures) say_section(c, "label.figures");
    for (size_t i = 0; i < ev->n_figures; i++) {
        const chronicle_figure *f = ev->figures[i];
        say(c, "\n- ");
        say_str(c, f->label);
        say(c, ": ");
        SAY_FORMATTED(c, c->host->format_number(c->job, at, size, f->value));
        if (f->unit.ptr) {
            say(c, " ");
            say_str(c, f->unit);
        }
        say(c, " (");
        say_attribution(c, f->source);
        say(c, ")");
    }
}

static void say_sources(ics *c, const chronicle_event *ev)
{
    say_section(c, "label.sources");
    for (size_t i = 0; i < ev->n_sources; i++) {
        const chronicle_source *s = ev->sources[i];
        say(c, "\n- ");
        say_str(c, s->document);
        if (s->outlet.ptr || s->published_ymd) {
            say(c, " (");
            say_str(c, s->outlet);
            if (s->outlet.ptr && s->published_ymd) say(c, ", ");
            if (s->published_ymd) say_date(c, s->published_ymd);
            say(c, ")");
        }
        if (s->url.ptr) {
            say(c, " ");
            say_str(c, s->url);
        }
    }
}

static void description(ics *c, const chronicle_event *ev)
{
    c->text.len = 0;
    if (ev->summary.ptr) say_str(c, ev->summary);
    if (ev->n_organizers) {
        say_section(c, "label.organizers");
        say(c, " ");
    }
    for (size_t i = 0; i < ev->n_organizers; i++) {
        if (i) say(c, "; ");
        say_str(c, ev->organizers[i]);
    }
    say_claims(c, ev);
    say_sources(c, ev);
    raw(c, "DESCRIPTION:");
    escaped(c, c->text.ptr, c->text.len);
    end_line(c);
}

/* ---- events ---- */

static void location(ics *c, const chronicle_event *ev)
{
    const chronicle_str parts[] = {ev->venue, ev->city, ev->country};
    raw(c, "LOCATION:");
    for (size_t i = 0, n = 0; i < 3; i++) {
        if (!parts[i].ptr) continue;
        if (n++) escaped(c, ", ", 2);
        escaped(c, parts[i].ptr, parts[i].len);
    }
    end_line(c);
}

static void categories(ics *c, const chronicle_event *ev)
{
    if (!ev->n_tags) return;
    raw(c, "CATEGORIES:");
    for (size_t i = 0; i < ev->n_tags; i++) {
        if (i) raw(c, ","); /* the list separator stays unescaped */
        escaped(c, ev->tags[i].ptr, ev->tags[i].len);
    }
    end_line(c);
}

static void vevent(ics *c, const chronicle_event *ev, int64_t stamp)
{
    line(c, "BEGIN:VEVENT");
    raw(c, "UID:");
    escaped(c, ev->id.ptr, ev->id.len);
    raw(c, "@chronicle");
    end_line(c);
    stamp_property(c, stamp);
    date_property(c, "DTSTART", ev->date_ymd);
    /* DTEND is exclusive: the day after the last day */
    uint32_t last = ev->end_date_ymd ? ev->end_date_ymd : ev->date_ymd;
    date_property(c, "DTEND", c->host->days_to_ymd(c->host->ymd_to_days(last) + 1));
    property(c, "SUMMARY", ev->title);
    location(c, ev);
    description(c, ev);
    categories(c, ev);
    line(c, "TRANSP:TRANSPARENT");
    line(c, "END:VEVENT");
}

/* The calendar's name: the report's title, and the group of a --split-by
 * job.  NAME is RFC 7986's; X-WR-CALNAME is what most readers show. */
static void calendar_name(ics *c, const char *property)
{
    const chronicle_str title = c->host->report(c->job)->title;
    const char *group = c->host->group(c->job);
    raw(c, property);
    escaped(c, title.ptr, title.len);
    if (group) {
        escaped(c, " \xE2\x80\x94 ", 5);
        escaped(c, group, strlen(group));
    }
    end_line(c);
}

static void vcalendar_head(ics *c)
{
    line(c, "BEGIN:VCALENDAR");
    line(c, "VERSION:2.0");
    line(c, "PRODID:-//Chronicle//ics plugin 1.0.0//EN");
    line(c, "CALSCALE:GREGORIAN");
    line(c, "METHOD:PUBLISH");
    calendar_name(c, "NAME:");
    calendar_name(c, "X-WR-CALNAME:");
}

static chronicle_status export_ics(chronicle_job *job, const chronicle_host *host)
{
    ics c = {.job = job, .host = host, .st = CHRONICLE_OK};
    chronicle_status st = CHRONICLE_OK;
    size_t n = host->event_count(job);
    int64_t stamp = host->timestamp(job);
    vcalendar_head(&c);
    for (size_t i = 0; i < n && c.st == CHRONICLE_OK; i++) {
        vevent(&c, host->event_at(job, i), stamp);
        if ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == n) {
            host->progress(job, i + 1, n);
            if (host->cancelled(job)) {
                st = CHRONICLE_ERR_CANCELLED;
                break;
            }
        }
    }
    if (st == CHRONICLE_OK) {
        line(&c, "END:VCALENDAR");
        flush(&c);
        st = c.st;
    }
    free(c.out.ptr);
    free(c.line.ptr);
    free(c.text.ptr);
    return st;
}
