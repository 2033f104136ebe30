/*
 * chronicle/dataset_json.h — a loaded dataset written back as JSON, in the
 * dataset format (formats/events-v1.md), for bindings and tools that want
 * the model as data rather than as C structs (the Python package reads
 * every event through these).
 *
 * The JSON is the model's, not the file's bytes: members in the order of
 * formats/events-v1.md, absent members and empty lists left out, numbers
 * as the shortest text that reads back as the same double, and members a
 * later minor version added that this build does not know are not there.
 * For data/events.json, json.loads() of it equals the file's own objects.
 */
#ifndef CHRONICLE_DATASET_JSON_H
#define CHRONICLE_DATASET_JSON_H

#include <stddef.h>

#include "dataset.h"
#include "diag.h"
#include "strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Appends ev as one JSON object: statements, figures and the event's
 * sources name their sources by id.  An index entry of an indexed dataset
 * gives only what it holds (see chronicle_dataset_indexed()). */
chronicle_status chronicle_event_json(const chronicle_event *ev, chronicle_buf *out);

/* Appends src as one JSON object (id, outlet, published, dateline,
 * document, url). */
chronicle_status chronicle_source_json(const chronicle_source *src, chronicle_buf *out);

/* Appends the dataset's own members as one JSON object: schema, title,
 * description, sources (every source, in file order), and "events": the
 * number of events. */
chronicle_status chronicle_dataset_info_json(const chronicle_dataset *ds, chronicle_buf *out);

/* Appends events first .. first + n - 1 of ds (file order; n is cut at the
 * end) as one JSON array of whole events.  An indexed dataset's events are
 * read again from its file: CHRONICLE_ERR_DATA when the file changed since
 * it was loaded or cannot be read (diag says why, out is then unchanged);
 * CHRONICLE_ERR_OPTION when first is past the end. */
chronicle_status chronicle_dataset_events_json(const chronicle_dataset *ds, size_t first, size_t n,
                                               chronicle_buf *out, chronicle_diag *diag);

#ifdef __cplusplus
}
#endif

#endif
