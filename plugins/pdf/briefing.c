/*
 * briefing.c — the briefing's parts, in the order formats/briefing.md
 * gives: cover, contents, key figures, charts, event table, one section per
 * event (section.c), sources appendix; then the outline, page labels and
 * the running header and footer.  The contents pages are reserved first
 * (their number is known by measuring the entries) and filled last, when
 * every target page is known.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/format.h"
#include "pdf_internal.h"

#define PART_SIZE 18.0f
#define TOP_ROWS 12 /* rows of a key-figure table before "N others" */

typedef struct toc_entry {
    int level; /* 0: a part, 1: an event */
    const char *title;
    size_t len;
    uint32_t ymd; /* events: the date shown before the title */
    pdf_target at;
} toc_entry;

typedef struct briefing {
    pdf_doc *d;
    const chronicle_host *host;
    chronicle_job *job;
    const chronicle_summary *sum;
    const chronicle_dataset_info *ds;
    size_t n;
    toc_entry *toc;
    size_t n_toc, toc_page, toc_pages;
    HPDF_Outline events_outline;
    pdf_lines toc_lines;
    chronicle_buf a, b;
} briefing;

/* ---- parts and the outline ---- */

static HPDF_Outline outline_add(briefing *br, HPDF_Outline parent, const char *title, size_t len,
                                pdf_target at)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->a);
    if (len > 300) {
        len = 300;
        while (len && ((unsigned char)title[len] & 0xC0) == 0x80)
            len--;
    }
    if (chronicle_buf_append(&br->a, title, len) != CHRONICLE_OK) return NULL;
    for (size_t i = 0; i < br->a.len; i++)
        if ((unsigned char)br->a.ptr[i] < 0x20) br->a.ptr[i] = ' ';
    if (len < (title ? strlen(title) : 0)) chronicle_buf_puts(&br->a, "\xE2\x80\xA6");
    HPDF_Outline o = HPDF_CreateOutline(d->doc, parent, chronicle_buf_cstr(&br->a), d->utf8);
    HPDF_Destination dst = o ? pdf_dest(d, at) : NULL;
    if (dst) HPDF_Outline_SetDestination(o, dst);
    return o;
}

static chronicle_status part_title(pdf_doc *d, const char *title)
{
    chronicle_status st = pdf_draw_text(d, d->left, d->y - PART_SIZE, title, strlen(title),
                                        PDF_BOLD, PART_SIZE, pdf_navy);
    d->y -= pdf_leading(PART_SIZE);
    pdf_hline(d, d->left, d->right, d->y - 3, 1.2f, pdf_navy);
    d->y -= 14;
    return st;
}

/* Starts a part on a new page, with its outline entry and contents target. */
static chronicle_status part_start(briefing *br, const char *title, HPDF_Outline *outline)
{
    pdf_doc *d = br->d;
    chronicle_status st = pdf_page_add(d);
    if (st != CHRONICLE_OK) return st;
    pdf_target at = {d->n_pages - 1, d->y};
    for (size_t i = 0; i < br->n_toc; i++)
        if (br->toc[i].level == 0 && !strcmp(br->toc[i].title, title)) br->toc[i].at = at;
    HPDF_Outline o = outline_add(br, NULL, title, strlen(title), at);
    if (outline) *outline = o;
    if ((st = pdf_check(d, "adding a bookmark")) != CHRONICLE_OK) return st;
    return part_title(d, title);
}

static chronicle_status body_text(pdf_doc *d, const char *s, size_t len, float space_after)
{
    pdf_para p = {
        .weight = PDF_REGULAR, .size = d->size, .color = pdf_black, .space_after = space_after};
    return pdf_paragraph(d, &p, s, len);
}

/* ---- cover ---- */

static chronicle_status count_box(briefing *br, float x, float y, float w, size_t n,
                                  const char *label)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->b);
    chronicle_status st = chronicle_format_number(&br->b, (double)n);
    pdf_fill_rect(d, x, y - 52, w, 52, pdf_light);
    pdf_fill_rect(d, x, y - 52, 3, 52, pdf_navy);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, x + 12, y - 26, br->b.ptr, br->b.len, PDF_BOLD, 20, pdf_navy);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, x + 12, y - 42, label, strlen(label), PDF_REGULAR, 8.5f, pdf_grey);
    return st;
}

static chronicle_status cover_counts(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    const size_t v[] = {s->n_events,     s->n_by_country, s->n_participants,
                        s->n_statements, s->n_figures,    s->n_sources_cited};
    const char *label[] = {"events",     "countries", "participants",
                           "statements", "figures",   "sources cited"};
    float gap = 10, w = (d->right - d->left - 2 * gap) / 3, top;
    chronicle_status st = pdf_reserve(d, 2 * 62 + 8, 2, &top);
    for (size_t i = 0; i < 6 && st == CHRONICLE_OK; i++)
        st = count_box(br, d->left + (float)(i % 3) * (w + gap), top - (float)(i / 3) * 62, w, v[i],
                       label[i]);
    return st;
}

static chronicle_status cover_band(briefing *br)
{
    pdf_doc *d = br->d;
    pdf_fill_rect(d, 0, d->page_h - 150, d->page_w, 150, pdf_navy);
    chronicle_status st =
        pdf_draw_text(d, d->left, d->page_h - 78, "BRIEFING", 8, PDF_BOLD, 12, pdf_white);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(&br->a, "Generated ");
    if (st == CHRONICLE_OK) st = chronicle_format_date(&br->a, d->generated, CHRONICLE_DATE_LONG);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->left, d->page_h - 96, br->a.ptr, br->a.len, PDF_REGULAR, 9.5f,
                           (pdf_rgb){0.80f, 0.85f, 0.92f});
    d->y = d->page_h - 196;
    return st;
}

static chronicle_status cover_period(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    const char *group = br->host->group(br->job);
    chronicle_status st = CHRONICLE_OK;
    chronicle_buf_reset(&br->a);
    if (s->n_events) {
        uint32_t first = br->host->event_at(br->job, 0)->date_ymd, last = first;
        for (size_t i = 0; i < br->n; i++) {
            const chronicle_event *e = br->host->event_at(br->job, i);
            uint32_t end = e->end_date_ymd ? e->end_date_ymd : e->date_ymd;
            if (end > last) last = end;
        }
        st = chronicle_format_period(&br->a, first, last, CHRONICLE_DATE_LONG);
    } else {
        st = chronicle_buf_puts(&br->a, "no events");
    }
    if (st == CHRONICLE_OK) st = pdf_field(d, "Period covered", br->a.ptr, br->a.len, NULL);
    if (st == CHRONICLE_OK && group) st = pdf_field(d, "Group", group, strlen(group), NULL);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(&br->a, "%zu of %zu events in %s", s->n_events,
                                   br->ds->n_events_total,
                                   br->ds->path.len ? br->ds->path.ptr : "the dataset");
    if (st == CHRONICLE_OK) st = pdf_field(d, "Selection", br->a.ptr, br->a.len, NULL);
    pdf_gap(d, 14);
    return st;
}

static chronicle_status cover(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = pdf_page_add(d);
    if (st == CHRONICLE_OK) st = cover_band(br);
    pdf_para title = {
        .weight = PDF_BOLD, .size = 24, .color = pdf_navy, .space_after = 10, .max_lines = 6};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &title, d->title.ptr, d->title.len);
    pdf_para desc = {
        .weight = PDF_REGULAR, .size = 11, .color = pdf_grey, .space_after = 20, .max_lines = 12};
    if (st == CHRONICLE_OK && br->ds->description.len)
        st = pdf_paragraph(d, &desc, br->ds->description.ptr, br->ds->description.len);
    if (st == CHRONICLE_OK) st = cover_period(br);
    if (st == CHRONICLE_OK) st = cover_counts(br);
    static const char note[] =
        "Statements and figures in this briefing are claims made at or about the events. Each "
        "is shown with the outlet that reported it (\xE2\x80\x9C"
        "as reported by \xE2\x80\xA6"
        "\xE2\x80\x9D); the briefing does not assess them.";
    pdf_para n = {.weight = PDF_REGULAR, .size = 8.5f, .color = pdf_grey, .max_lines = 4};
    d->y = fminf(d->y, d->bottom + 3 * pdf_leading(8.5f));
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &n, note, sizeof note - 1);
    if (st == CHRONICLE_OK) st = pdf_flush(d);
    if (st == CHRONICLE_OK) outline_add(br, NULL, "Cover", 5, (pdf_target){0, d->page_h});
    return st == CHRONICLE_OK ? pdf_check(d, "drawing the cover") : st;
}

/* ---- contents ---- */

static chronicle_status toc_build(briefing *br)
{
    pdf_doc *d = br->d;
    const char *parts[] = {"Key figures", "Charts", "Event table", "Events", "Sources"};
    int on[] = {1, d->host->opt_bool(br->job, "chart"), d->host->opt_bool(br->job, "event-table"),
                1, 1};
    if (!(br->toc = calloc(5 + br->n, sizeof *br->toc))) return CHRONICLE_ERR_NOMEM;
    for (size_t p = 0; p < 5; p++) {
        if (!on[p]) continue;
        br->toc[br->n_toc++] = (toc_entry){0, parts[p], strlen(parts[p]), 0, {0, 0}};
        for (size_t i = 0; p == 3 && i < br->n; i++) {
            const chronicle_event *e = br->host->event_at(br->job, i);
            br->toc[br->n_toc++] = (toc_entry){1, e->title.ptr, e->title.len, e->date_ymd, {0, 0}};
        }
    }
    return CHRONICLE_OK;
}

static chronicle_status toc_leader(pdf_doc *d, float x0, float x1, float baseline, size_t page)
{
    chronicle_buf num = CHRONICLE_BUF_INIT;
    float w = 0;
    chronicle_status st = chronicle_buf_appendf(&num, "%zu", page + 1);
    if (st == CHRONICLE_OK) st = pdf_text_width(d, num.ptr, num.len, PDF_REGULAR, d->size, &w);
    if (st == CHRONICLE_OK && x1 - w - 6 > x0 + 8)
        pdf_line(d, x0 + 4, baseline + 1, x1 - w - 6, baseline + 1, 0.8f, pdf_rule, 1);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->right - w, baseline, num.ptr, num.len, PDF_REGULAR, d->size,
                           pdf_black);
    chronicle_buf_free(&num);
    return st;
}

static chronicle_status toc_link(briefing *br, float x, float baseline, pdf_target at)
{
    pdf_doc *d = br->d;
    HPDF_Rect r = {x, baseline - 0.3f * d->size, d->right, baseline + 0.95f * d->size};
    HPDF_Destination dst = pdf_dest(d, at);
    HPDF_Annotation a = dst ? HPDF_Page_CreateLinkAnnot(d->page, r, dst) : NULL;
    if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    return pdf_check(d, "adding a contents link");
}

/* Draws one entry's lines (when draw is set), moving to the next reserved
 * page as needed; *page counts the pages used.  with_next: a part's
 * entry, which stays on a page with the first line of the entries under it. */
static chronicle_status toc_entry_flow(briefing *br, const toc_entry *t, int with_next, int draw,
                                       size_t *page)
{
    pdf_doc *d = br->d;
    const float date_w = 7.4f * d->size, num_w = 34, lead = pdf_leading(d->size);
    float x = d->left + (t->level ? 14 + date_w : 0);
    pdf_weight w = t->level ? PDF_REGULAR : PDF_BOLD;
    chronicle_status st =
        pdf_wrap(d, t->title, t->len, w, d->size, d->right - num_w - x, &br->toc_lines);
    if (!t->level) d->y -= 4;
    /* an entry that fits on a page is not split across two */
    float h = (float)(br->toc_lines.n + (with_next ? 1 : 0)) * lead;
    int keep = h <= d->top - d->bottom && d->y - h < d->bottom;
    for (size_t j = 0; j < br->toc_lines.n && st == CHRONICLE_OK; j++) {
        if (d->y - lead < d->bottom || (j == 0 && keep)) {
            ++*page;
            d->y = d->top;
            if (draw && (st = pdf_page_use(d, br->toc_page + *page)) != CHRONICLE_OK) break;
        }
        const pdf_span *l = &br->toc_lines.v[j];
        float baseline = d->y - d->size;
        d->y -= lead;
        if (!draw) continue;
        if (j == 0 && t->level) {
            chronicle_buf_reset(&br->b);
            st = chronicle_format_date(&br->b, t->ymd, CHRONICLE_DATE_SHORT);
            if (st == CHRONICLE_OK)
                st = pdf_draw_text(d, d->left + 14, baseline, br->b.ptr, br->b.len, PDF_REGULAR,
                                   d->size, pdf_grey);
        }
        if (st == CHRONICLE_OK)
            st = pdf_draw_text(d, x, baseline, t->title + l->start, l->end - l->start, w, d->size,
                               t->level ? pdf_black : pdf_navy);
        if (st == CHRONICLE_OK && j + 1 == br->toc_lines.n)
            st = toc_leader(d, x + l->width, d->right, baseline, t->at.page);
        if (st == CHRONICLE_OK) st = toc_link(br, t->level ? d->left + 14 : x, baseline, t->at);
    }
    return st;
}

static chronicle_status toc_flow(briefing *br, int draw, size_t *pages)
{
    pdf_doc *d = br->d;
    size_t page = 0;
    /* what is queued goes where the flow left off, before y moves here */
    chronicle_status st = pdf_flush(d);
    if (st != CHRONICLE_OK) return st;
    d->y = d->top;
    if (draw) {
        st = pdf_page_use(d, br->toc_page);
        if (st == CHRONICLE_OK) st = part_title(d, "Contents");
    } else {
        d->y -= pdf_leading(PART_SIZE) + 14;
    }
    for (size_t i = 0; i < br->n_toc && st == CHRONICLE_OK; i++)
        st =
            toc_entry_flow(br, &br->toc[i], i + 1 < br->n_toc && br->toc[i + 1].level, draw, &page);
    *pages = page + 1;
    return st;
}

static chronicle_status toc_reserve(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = toc_flow(br, 0, &br->toc_pages);
    br->toc_page = d->n_pages;
    for (size_t i = 0; i < br->toc_pages && st == CHRONICLE_OK; i++)
        st = pdf_page_add(d);
    if (st == CHRONICLE_OK)
        outline_add(br, NULL, "Contents", 8, (pdf_target){br->toc_page, d->top});
    return st == CHRONICLE_OK ? pdf_check(d, "reserving the contents pages") : st;
}

/* ---- key figures ---- */

/* Whole percent, halves rounded up, in integers so that no binary
 * fraction decides a half; "<1%" and ">99%" for shares that would show as
 * 0 or 100 without being either. */
static chronicle_status share_text(chronicle_buf *b, size_t n, size_t total)
{
    chronicle_buf_reset(b);
    if (!n || !total) return chronicle_buf_puts(b, "0%");
    if (100 * n < total) return chronicle_buf_puts(b, "<1%");
    if (100 * n > 99 * total && n < total) return chronicle_buf_puts(b, ">99%");
    return chronicle_buf_appendf(b, "%zu%%", (200 * n + total) / (2 * total));
}

/* A key-figure table: every row, or the largest and one "N others". */
typedef struct count_spec {
    const char *heading, *col, *unit;
    const chronicle_count *rows;
    size_t n, total;
    const char *others;  /* NULL: every row; else what the rest are ("organisers") */
    const char *several; /* said when the counts add up to more than the total */
} count_spec;

static chronicle_status count_cells(const count_spec *c, size_t i, size_t shown,
                                    chronicle_buf cell[3])
{
    size_t count = 0;
    for (size_t k = 0; k < 3; k++)
        chronicle_buf_reset(&cell[k]);
    chronicle_status st = CHRONICLE_OK;
    if (i < shown) {
        const chronicle_count *r = &c->rows[i];
        chronicle_str label = r->label.len ? r->label : r->key;
        count = r->count;
        st = chronicle_buf_append(&cell[0], label.ptr, label.len);
        if (st == CHRONICLE_OK && r->label.len && strcmp(r->label.ptr, r->key.ptr))
            st = chronicle_buf_appendf(&cell[0], " (%s)", r->key.ptr);
    } else {
        for (size_t k = shown; k < c->n; k++)
            count += c->rows[k].count;
        st = chronicle_buf_appendf(&cell[0], "%zu others", c->n - shown);
    }
    if (st == CHRONICLE_OK) st = chronicle_format_number(&cell[1], (double)count);
    return st == CHRONICLE_OK ? share_text(&cell[2], count, c->total) : st;
}

/* What a reader must know to read the table: shares over 100 % in all,
 * and where the rows left out are. */
static chronicle_status count_note(briefing *br, const count_spec *c, size_t shown)
{
    size_t sum = 0;
    for (size_t k = 0; k < c->n; k++)
        sum += c->rows[k].count;
    chronicle_buf_reset(&br->b);
    chronicle_status st = CHRONICLE_OK;
    if (c->several && sum > c->total) st = chronicle_buf_puts(&br->b, c->several);
    if (st == CHRONICLE_OK && shown < c->n)
        st = chronicle_buf_appendf(&br->b,
                                   "%sThe other %zu %s are listed in the workbook's Summary sheet "
                                   "(chronicle export -f xlsx).",
                                   br->b.len ? " " : "", c->n - shown, c->others);
    pdf_para p = {.weight = PDF_REGULAR, .size = br->d->size * 0.85f, .color = pdf_grey};
    return st == CHRONICLE_OK && br->b.len ? pdf_paragraph(br->d, &p, br->b.ptr, br->b.len) : st;
}

static chronicle_status count_table(briefing *br, const count_spec *c)
{
    pdf_doc *d = br->d;
    const pdf_column cols[] = {{c->col, 230, 0}, {c->unit, 70, 1}, {"Share", 60, 1}};
    size_t shown = c->others && c->n > TOP_ROWS + 1 ? TOP_ROWS : c->n;
    pdf_table t = {
        .cols = cols, .n_cols = 3, .size = d->size * 0.9f, .total = shown + (shown < c->n)};
    chronicle_buf cell[3] = {CHRONICLE_BUF_INIT, CHRONICLE_BUF_INIT, CHRONICLE_BUF_INIT};
    chronicle_status st = pdf_subheading(d, c->heading);
    if (st == CHRONICLE_OK) st = pdf_table_start(d, &t);
    for (size_t i = 0; i < t.total && st == CHRONICLE_OK; i++) {
        st = count_cells(c, i, shown, cell);
        chronicle_str cells[] = {
            {cell[0].ptr, cell[0].len}, {cell[1].ptr, cell[1].len}, {cell[2].ptr, cell[2].len}};
        if (st == CHRONICLE_OK) st = pdf_table_row(d, &t, cells);
    }
    st = pdf_table_end(d, &t, st);
    pdf_gap(d, 4);
    if (st == CHRONICLE_OK) st = count_note(br, c, shown);
    pdf_gap(d, 6);
    for (size_t k = 0; k < 3; k++)
        chronicle_buf_free(&cell[k]);
    return st;
}

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

static chronicle_status key_figures(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    chronicle_status st = part_start(br, "Key figures", NULL);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(
            &br->b,
            "This briefing covers %zu %s in %zu %s, with %zu %s, %zu %s, %zu reported %s and %zu "
            "reported %s, drawn from %zu %s.",
            s->n_events, plural(s->n_events, "event", "events"), s->n_by_country,
            plural(s->n_by_country, "country", "countries"), s->n_participants,
            plural(s->n_participants, "named participant", "named participants"), s->n_activities,
            plural(s->n_activities, "programme item", "programme items"), s->n_statements,
            plural(s->n_statements, "statement", "statements"), s->n_figures,
            plural(s->n_figures, "figure", "figures"), s->n_sources_cited,
            plural(s->n_sources_cited, "source", "sources"));
    if (st == CHRONICLE_OK) st = body_text(d, br->b.ptr, br->b.len, 4);
    static const char rounding[] =
        "Shares are of all events (of all programme items for kinds), rounded to whole percent, "
        "halves up (12.5 % shows as 13 %); a share under 1 % shows as <1%, one over 99 % but "
        "short of all as >99%.";
    pdf_para note = {
        .weight = PDF_REGULAR, .size = d->size * 0.85f, .color = pdf_grey, .space_after = 8};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &note, rounding, sizeof rounding - 1);
    const count_spec tables[] = {
        {"Events by year", "Year", "Events", s->by_year, s->n_by_year, s->n_events, NULL, NULL},
        {"Events by country", "Country", "Events", s->by_country, s->n_by_country, s->n_events,
         NULL, NULL},
        {"Events by organiser", "Organiser", "Events", s->by_organizer, s->n_by_organizer,
         s->n_events, "organisers",
         "An event with several organisers counts once for each of them, so these shares add up "
         "to more than 100 %."},
        {"Programme items by kind", "Kind", "Items", s->by_activity_kind, s->n_by_activity_kind,
         s->n_activities, "kinds", NULL}};
    for (size_t i = 0; i < 4 && st == CHRONICLE_OK; i++)
        if (tables[i].n || i < 2) st = count_table(br, &tables[i]);
    return st;
}

/* ---- charts ---- */

/* Runs of more years than this without events are left out of the year
 * chart, at a break mark; shorter ones are shown as zero. */
#define YEAR_GAP_MAX 30

static int year_at(const chronicle_summary *s, size_t i)
{
    return atoi(s->by_year[i].key.ptr);
}

/* Appends "1951–1994" for a run left out, joined to those before it. */
static chronicle_status gap_text(chronicle_buf *gaps, int from, int to, int last)
{
    const char *sep = !gaps->len ? "" : last ? " and " : ", ";
    return chronicle_buf_appendf(gaps, "%s%d\xE2\x80\x93%d", sep, from, to);
}

/* The year chart's columns: every year from the first to the last, years
 * without events as zero columns, and one marked column for each run of
 * more than YEAR_GAP_MAX of them; gaps receives the runs left out. */
static chronicle_status year_bars(const chronicle_summary *s, pdf_bar **out, char (**names)[12],
                                  size_t *n, chronicle_buf *gaps)
{
    size_t m = 0, runs = 0, k = 0;
    for (size_t i = 0; i < s->n_by_year; i++) {
        int missing = i + 1 < s->n_by_year ? year_at(s, i + 1) - year_at(s, i) - 1 : 0;
        m += 1 + (missing > YEAR_GAP_MAX ? 1 : (size_t)(missing > 0 ? missing : 0));
        runs += missing > YEAR_GAP_MAX;
    }
    *out = calloc(m, sizeof **out);
    *names = calloc(m, sizeof **names);
    if (!*out || !*names) return CHRONICLE_ERR_NOMEM;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0, done = 0; i < s->n_by_year && st == CHRONICLE_OK; i++) {
        int y = year_at(s, i), next = i + 1 < s->n_by_year ? year_at(s, i + 1) : y + 1;
        for (int z = y; z < next && st == CHRONICLE_OK; z++) {
            pdf_bar *b = &(*out)[k];
            b->label = (*names)[k++];
            if (z > y && next - y - 1 > YEAR_GAP_MAX) {
                b->gap = 1;
                st = gap_text(gaps, y + 1, next - 1, ++done == runs && runs > 1);
                break;
            }
            snprintf((*names)[k - 1], sizeof **names, "%d", z);
            b->value = z == y ? (double)s->by_year[i].count : 0;
        }
    }
    *n = k;
    return st;
}

static chronicle_status country_chart(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    size_t shown = s->n_by_country > TOP_ROWS + 1 ? TOP_ROWS : s->n_by_country;
    pdf_bar bars[TOP_ROWS + 1];
    for (size_t i = 0; i < shown; i++) {
        const chronicle_count *c = &s->by_country[i];
        bars[i] = (pdf_bar){c->label.len ? c->label.ptr : c->key.ptr, (double)c->count, 0};
    }
    size_t n = shown;
    if (shown < s->n_by_country) {
        double rest = 0;
        for (size_t i = shown; i < s->n_by_country; i++)
            rest += (double)s->by_country[i].count;
        bars[n++] = (pdf_bar){"Other countries", rest, 0};
    }
    float h = (float)n * 17 + 16, top;
    chronicle_status st = pdf_subheading(d, "Events per country");
    if (st == CHRONICLE_OK) st = pdf_reserve(d, h + 14, 2, &top);
    if (st == CHRONICLE_OK)
        st = pdf_chart_bars(d, d->left, top - 6, d->right - d->left, bars, n, &h);
    return st;
}

static chronicle_status charts(briefing *br)
{
    pdf_doc *d = br->d;
    pdf_bar *bars = NULL;
    char(*names)[12] = NULL;
    size_t n = 0;
    float top;
    chronicle_buf gaps = CHRONICLE_BUF_INIT;
    chronicle_status st = part_start(br, "Charts", NULL);
    if (st == CHRONICLE_OK) st = year_bars(br->sum, &bars, &names, &n, &gaps);
    if (st == CHRONICLE_OK) st = pdf_subheading(d, "Events per year");
    if (st == CHRONICLE_OK) st = pdf_reserve(d, 210, 2, &top);
    if (st == CHRONICLE_OK)
        st = pdf_chart_columns(d, d->left, top - 4, d->right - d->left, 190, bars, n);
    if (st == CHRONICLE_OK) st = country_chart(br);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK)
        st =
            chronicle_buf_puts(&br->b, "Counts of the events in this briefing, by the year of the "
                                       "event date and by the country where the event took place.");
    if (st == CHRONICLE_OK && gaps.len)
        st = chronicle_buf_appendf(&br->b,
                                   " No events in %s: those years are left out of the year chart, "
                                   "where the axis is broken (//).",
                                   gaps.ptr);
    pdf_para p = {.weight = PDF_REGULAR, .size = d->size * 0.85f, .color = pdf_grey};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &p, br->b.ptr, br->b.len);
    free(bars);
    free(names);
    chronicle_buf_free(&gaps);
    return st;
}

/* ---- the event table ---- */

static chronicle_status event_table(briefing *br)
{
    pdf_doc *d = br->d;
    float w = d->right - d->left, date_w = 6.6f * d->size; /* "29 Apr 2016" on one line */
    const pdf_column cols[] = {{"Date", date_w, 0},
                               {"Event", w - date_w - 116 - 126, 0},
                               {"Place", 116, 0},
                               {"Organisers", 126, 0}};
    pdf_table t = {.cols = cols, .n_cols = 4, .size = d->size * 0.85f, .total = br->n};
    chronicle_buf date = CHRONICLE_BUF_INIT, place = CHRONICLE_BUF_INIT, orgs = CHRONICLE_BUF_INIT;
    chronicle_status st = part_start(br, "Event table", NULL);
    if (st == CHRONICLE_OK) st = pdf_table_start(d, &t);
    for (size_t i = 0; i < br->n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        chronicle_buf_reset(&date);
        chronicle_buf_reset(&place);
        chronicle_buf_reset(&orgs);
        st = pdf_dates(&date, e->date_ymd, e->end_date_ymd, 0);
        if (st == CHRONICLE_OK) st = pdf_place(&place, e, 0);
        for (size_t k = 0; k < e->n_organizers && st == CHRONICLE_OK; k++)
            st = chronicle_buf_appendf(&orgs, k ? "; %s" : "%s", e->organizers[k].ptr);
        chronicle_str cells[] = {
            {date.ptr, date.len}, e->title, {place.ptr, place.len}, {orgs.ptr, orgs.len}};
        if (st == CHRONICLE_OK) st = pdf_table_row(d, &t, cells);
    }
    st = pdf_table_end(d, &t, st);
    chronicle_buf_free(&date);
    chronicle_buf_free(&place);
    chronicle_buf_free(&orgs);
    return st;
}

/* ---- events ---- */

static chronicle_status events(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = part_start(br, "Events", &br->events_outline);
    if (st == CHRONICLE_OK && br->n > 30) HPDF_Outline_SetOpened(br->events_outline, HPDF_FALSE);
    size_t t = 0;
    for (size_t i = 0; i < br->n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        pdf_target at;
        if ((st = pdf_section_write(d, e, &at)) != CHRONICLE_OK) break;
        while (t < br->n_toc && br->toc[t].level == 0)
            t++;
        if (t < br->n_toc) br->toc[t++].at = at;
        outline_add(br, br->events_outline, e->title.ptr, e->title.len, at);
        st = pdf_check(d, "adding a bookmark");
        if (i % 64 == 63 || i + 1 == br->n) br->host->progress(br->job, i + 1, br->n);
        if (st == CHRONICLE_OK && br->host->cancelled(br->job)) st = CHRONICLE_ERR_CANCELLED;
    }
    return st;
}

/* ---- sources appendix ---- */

static int by_id(const void *a, const void *b)
{
    const chronicle_source *x = *(const chronicle_source *const *)a;
    const chronicle_source *y = *(const chronicle_source *const *)b;
    return strcmp(x->id.ptr, y->id.ptr);
}

/* The sources the selected events cite, sorted by id. */
static chronicle_status cited_sources(briefing *br, const chronicle_source ***out, size_t *n)
{
    size_t total = 0, m = 0;
    for (size_t i = 0; i < br->n; i++)
        total += br->host->event_at(br->job, i)->n_sources;
    const chronicle_source **v = malloc((total ? total : 1) * sizeof *v);
    if (!v) return CHRONICLE_ERR_NOMEM;
    for (size_t i = 0; i < br->n; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        for (size_t k = 0; k < e->n_sources; k++)
            v[m++] = e->sources[k];
    }
    qsort(v, m, sizeof *v, by_id);
    *out = v;
    *n = m;
    return CHRONICLE_OK;
}

static chronicle_status appendix_entry(briefing *br, const chronicle_source *src)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->a);
    chronicle_status st = chronicle_buf_appendf(
        &br->a, "[%s] %s", src->id.ptr, src->outlet.len ? src->outlet.ptr : src->document.ptr);
    pdf_para head = {.weight = PDF_BOLD, .size = d->size, .color = pdf_black, .space_after = 1.5f};
    /* an entry is one block */
    pdf_keep_begin(d, PDF_KEEP_BLOCK);
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &head, br->a.ptr, br->a.len);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK && src->published_ymd)
        st = chronicle_format_date(&br->a, src->published_ymd, CHRONICLE_DATE_LONG);
    else if (st == CHRONICLE_OK && src->published.len)
        st = chronicle_buf_append(&br->a, src->published.ptr, src->published.len);
    if (st == CHRONICLE_OK) st = pdf_field(d, "Published", br->a.ptr, br->a.len, NULL);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, "Dateline", src->dateline.ptr, src->dateline.len, NULL);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, "Document", src->document.ptr, src->document.len, NULL);
    if (st == CHRONICLE_OK) st = pdf_field(d, "URL", src->url.ptr, src->url.len, src->url.ptr);
    pdf_keep_end(d);
    pdf_gap(d, 6);
    return st;
}

static chronicle_status appendix(briefing *br)
{
    const chronicle_source **cited = NULL;
    size_t n = 0;
    chronicle_status st = part_start(br, "Sources", NULL);
    if (st == CHRONICLE_OK) st = cited_sources(br, &cited, &n);
    static const char intro[] = "The documents the events in this briefing were recorded from, "
                                "in the order of the dataset.";
    if (st == CHRONICLE_OK) st = body_text(br->d, intro, sizeof intro - 1, 8);
    for (size_t i = 0; i < br->ds->n_sources && st == CHRONICLE_OK; i++) {
        const chronicle_source *src = br->ds->sources[i];
        if (!n || !bsearch(&src, cited, n, sizeof *cited, by_id)) continue;
        st = appendix_entry(br, src);
    }
    free(cited);
    return st;
}

/* ---- the whole ---- */

static chronicle_status no_events(briefing *br)
{
    chronicle_status st = part_start(br, "No matching events", NULL);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(
            &br->b,
            "No events match this selection. The dataset (%s) holds %zu %s; none of them passed "
            "the filters of this export, so there are no key figures, charts, event sections or "
            "sources to show.",
            br->ds->path.len ? br->ds->path.ptr : "the input", br->ds->n_events_total,
            plural(br->ds->n_events_total, "event", "events"));
    return st == CHRONICLE_OK ? body_text(br->d, br->b.ptr, br->b.len, 0) : st;
}

static chronicle_status parts(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = cover(br);
    if (st != CHRONICLE_OK) return st;
    if (!br->n) return no_events(br);
    int contents = d->host->opt_bool(br->job, "contents");
    if (contents && (st = toc_build(br)) == CHRONICLE_OK) st = toc_reserve(br);
    if (st == CHRONICLE_OK) st = key_figures(br);
    if (st == CHRONICLE_OK && d->host->opt_bool(br->job, "chart")) st = charts(br);
    if (st == CHRONICLE_OK && d->host->opt_bool(br->job, "event-table")) st = event_table(br);
    if (st == CHRONICLE_OK) st = events(br);
    if (st == CHRONICLE_OK) st = appendix(br);
    size_t pages;
    if (st == CHRONICLE_OK && contents) st = toc_flow(br, 1, &pages);
    return st;
}

chronicle_status pdf_briefing_write(pdf_doc *d)
{
    briefing br = {.d = d, .host = d->host, .job = d->job};
    br.sum = d->host->summary(d->job);
    br.ds = d->host->dataset(d->job);
    br.n = d->host->event_count(d->job);
    chronicle_status st = parts(&br);
    chronicle_buf_reset(&br.a);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(&br.a, "Generated ");
    if (st == CHRONICLE_OK) st = chronicle_format_date(&br.a, d->generated, CHRONICLE_DATE_SHORT);
    if (st == CHRONICLE_OK) st = pdf_pages_finish(d, d->title.ptr, br.a.ptr);
    if (st == CHRONICLE_OK) HPDF_AddPageLabel(d->doc, 0, HPDF_PAGE_NUM_STYLE_DECIMAL, 1, NULL);
    if (st == CHRONICLE_OK) st = pdf_check(d, "finishing the pages");
    free(br.toc);
    pdf_lines_free(&br.toc_lines);
    chronicle_buf_free(&br.a);
    chronicle_buf_free(&br.b);
    return st;
}
