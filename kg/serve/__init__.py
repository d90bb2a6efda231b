"""`kg serve`: the build's graph over HTTP on one port, the SPARQL 1.1 endpoint and the pages.

Routes: `/sparql` (the SPARQL 1.1 Protocol, read-only; `kg.serve.sparql`), `/query` (a query
page with the saved queries) and `/api/...` (the JSON the page runs on; `kg.serve.pages`), and
the explorer: `/` and a page for every paper, author, concept, category and day, with search
(`kg.serve.explorer`), assembled by `kg.serve.app.create_app`. Each user query runs in a
forked child killed past its limits (`kg.serve.isolation`), from a thread pool, so the event
loop always answers.

This module holds only the defaults, so that the command line can show them without importing
starlette and uvicorn: `import kg` and `kg --help` never load them.
"""

DEFAULT_HOST = "127.0.0.1"  # this machine only, unless told otherwise
DEFAULT_PORT = 8000
DEFAULT_MAX_RESULT_MIB = 256  # one answer of the SPARQL endpoint
