/*
 * generate.c — writes a synthetic formats/events-v1 dataset: invented
 * filler with the shape of tests/tools/gen_events.py (participants,
 * activities, statements, figures, one or two sources an event, tags,
 * names in several scripts).  A small xorshift generator keeps it
 * deterministic across libcs; nothing here describes a real event.
 */
#include "generate.h"

#include <stdint.h>

static const struct {
    const char *code, *name, *city;
} countries[] = {
    {"AZ", "Azerbaijan", "Şəki"},
    {"TR", "Turkey", "İzmir"},
    {"FR", "France", "Besançon"},
    {"RU", "Russia", "Екатеринбург"},
    {"CN", "China", "广州"},
    {"AE", "United Arab Emirates", "الشارقة"},
    {"DE", "Germany", "München"},
    {"GB", "United Kingdom", "London"},
    {"US", "United States", "Houston"},
    {"JP", "Japan", "京都"},
    {"PL", "Poland", "Łódź"},
    {"MD", "Moldova", "Chișinău"},
};
#define N_COUNTRIES (sizeof countries / sizeof countries[0])

static const char *const people[] = {"Şəhla Məmmədova", "Gökhan Öztürk", "Ольга Смирнова",
                                     "Hélène Lefèvre",  "王伟",          "محمد العلي",
                                     "John Smith",      "Ülvi Çələbiyev"};
static const char *const kinds[] = {"speech",     "exhibition",    "concert",
                                    "discussion", "wreath-laying", "film-screening"};
static const char *const tags[] = {"commemoration", "culture",   "diaspora",
                                   "music",         "education", "archives"};
static const char *const outlets[] = {"Trend", "AZERTAC", "新华社", "Le Courrier", "Interfax"};

typedef struct rng {
    uint64_t s;
} rng;

static uint32_t next(rng *r, uint32_t n)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)((r->s >> 11) % n);
}

static void write_sources(FILE *f, size_t n_sources, rng *r)
{
    fputs(",\n\"sources\":[", f);
    for (size_t i = 0; i < n_sources; i++) {
        fprintf(f, "%s\n{\"id\":\"src-%04zu\"", i ? "," : "", i);
        if (next(r, 10) < 8) fprintf(f, ",\"outlet\":\"%s\"", outlets[next(r, 5)]);
        if (next(r, 10) < 9)
            fprintf(f, ",\"published\":\"%04u-%02u-%02u\"", 1995 + next(r, 30), 1 + next(r, 12),
                    1 + next(r, 28));
        fprintf(f, ",\"document\":\"%04zu_%08x.txt\"}", i, (unsigned)next(r, 0x7fffffff));
    }
    fputs("\n]", f);
}

static void write_event(FILE *f, size_t i, size_t n_sources, rng *r)
{
    unsigned c = next(r, N_COUNTRIES), y = 1995 + next(r, 30), m = 1 + next(r, 12),
             d = 1 + next(r, 27); /* d + 1 is a date in every month */
    const char *who = people[next(r, 8)];
    size_t s1 = next(r, (uint32_t)n_sources), s2 = next(r, (uint32_t)n_sources);
    fprintf(f,
            "%s\n{\"id\":\"ev-%u-%07zu\",\"title\":\"Commemoration %zu in %s, %s\","
            "\"date\":\"%04u-%02u-%02u\"",
            i ? "," : "", y, i, i, countries[c].city, countries[c].name, y, m, d);
    if (next(r, 5) == 0) fprintf(f, ",\"end_date\":\"%04u-%02u-%02u\"", y, m, d + 1);
    fprintf(f,
            ",\"location\":{\"venue\":\"Palace of Culture\",\"city\":\"%s\",\"country\":\"%s\","
            "\"country_code\":\"%s\"}",
            countries[c].city, countries[c].name, countries[c].code);
    fprintf(f,
            ",\"occasion\":{\"subject\":\"Day of Culture\",\"anniversary\":%u,"
            "\"of_date\":\"1990-01-20\"}",
            y - 1990);
    fprintf(f, ",\"organizers\":[\"Cultural Centre of %s\"],\"audience\":[\"Students\"]",
            countries[c].name);
    fprintf(f,
            ",\"participants\":[{\"name\":\"%s\",\"role\":\"Writer\",\"spoke\":true}"
            ",{\"name\":\"%s\",\"organization\":\"Union of Writers\"}]",
            who, people[next(r, 8)]);
    fprintf(f,
            ",\"activities\":[{\"kind\":\"%s\",\"description\":\"A programme of %zu parts.\""
            ",\"performers\":[\"%s\"]}]",
            kinds[next(r, 6)], i % 7 + 1, who);
    if (next(r, 3))
        fprintf(f,
                ",\"statements\":[{\"speaker\":\"%s\",\"summary\":\"%s said that the archive "
                "would open in the spring.\",\"quote\":\"Bu gün biz hamımız bir yerdəyik.\","
                "\"source\":\"src-%04zu\"}]",
                who, who, s1);
    if (next(r, 2))
        fprintf(f,
                ",\"figures\":[{\"label\":\"Participants\",\"value\":%u,\"unit\":\"people\","
                "\"source\":\"src-%04zu\"}]",
                10 + next(r, 900), s1);
    if (s2 != s1)
        fprintf(f, ",\"sources\":[\"src-%04zu\",\"src-%04zu\"]", s1, s2);
    else
        fprintf(f, ",\"sources\":[\"src-%04zu\"]", s1);
    fprintf(f,
            ",\"tags\":[\"%s\",\"%s\"],\"summary\":\"The centre held event %zu; speakers "
            "addressed the audience in several languages.\"}",
            tags[next(r, 3)], tags[3 + next(r, 3)], i);
}

chronicle_status chronicle__generate_dataset(FILE *f, size_t n_events, unsigned seed)
{
    rng r = {0x9E3779B97F4A7C15ull ^ seed};
    size_t n_sources = n_events / 3 + 2;
    if (n_sources > 300) n_sources = 300;
    fprintf(f,
            "{\"schema\":\"chronicle/events@1\",\"title\":\"Generated dataset: %zu events "
            "(seed %u)\",\"description\":\"Synthetic events written by chronicle for plugin "
            "tests: invented filler that describes nothing real.\"",
            n_events, seed);
    write_sources(f, n_sources, &r);
    fputs(",\n\"events\":[", f);
    for (size_t i = 0; i < n_events; i++)
        write_event(f, i, n_sources, &r);
    fputs("\n]}\n", f);
    return fflush(f) == 0 && !ferror(f) ? CHRONICLE_OK : CHRONICLE_ERR_IO;
}
