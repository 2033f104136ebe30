// simdjson_ref.cpp — the reference the load is measured against
// (doc/performance.md, "The goals"): reads a file and parses it with
// simdjson's DOM parser, the whole document at once, or with --ndjson one
// document per line (parse_many).  Prints the documents parsed and the
// seconds taken (reading included); exit 1 on an error.  Built and run by
// tests/tools/bench.py only, with Debian's libsimdjson-dev:
//
//     g++ -O2 -std=c++17 simdjson_ref.cpp -lsimdjson -o simdjson_ref
//     simdjson_ref [--ndjson] FILE
#include <chrono>
#include <cstdio>
#include <cstring>
#include <simdjson.h>

int main(int argc, char **argv)
{
    bool ndjson = argc == 3 && !std::strcmp(argv[1], "--ndjson");
    if (argc != 2 + ndjson) {
        std::fprintf(stderr, "usage: simdjson_ref [--ndjson] FILE\n");
        return 2;
    }
    auto t0 = std::chrono::steady_clock::now();
    simdjson::padded_string json;
    auto error = simdjson::padded_string::load(argv[argc - 1]).get(json);
    simdjson::dom::parser parser;
    size_t docs = 0;
    if (!error && ndjson) {
        // a batch holds whole lines: the header line may be longer than the
        // default batch (1 MB)
        size_t batch = simdjson::dom::DEFAULT_BATCH_SIZE, from = 0;
        while (from < json.size()) {
            const void *nl = std::memchr(json.data() + from, '\n', json.size() - from);
            size_t end = nl ? size_t(static_cast<const char *>(nl) - json.data()) : json.size();
            if (end - from + 1 > batch) batch = end - from + 1;
            from = end + 1;
        }
        simdjson::dom::document_stream stream;
        error = parser.parse_many(json, batch).get(stream);
        for (auto doc : stream) {
            simdjson::dom::element e;
            if ((error = doc.get(e))) break;
            docs++;
        }
    } else if (!error) {
        simdjson::dom::element doc;
        error = parser.parse(json).get(doc);
        docs = !error;
    }
    if (error) {
        std::fprintf(stderr, "simdjson_ref: %s: %s\n", argv[argc - 1],
                     simdjson::error_message(error));
        return 1;
    }
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%zu documents, %.3f s\n", docs, s);
    return 0;
}
