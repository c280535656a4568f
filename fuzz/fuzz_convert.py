"""Coverage-guided fuzzing of the whole convert path (bytes -> text -> documents -> payloads -> reports).

The property: for any bytes, k2ecs either converts or raises a K2ecsError whose message is one line.
Anything else (another exception, a hang past -timeout, memory past -rss_limit_mb) is a bug: libFuzzer
saves the input as crash-*/timeout-*/oom-* in the working folder. See fuzz/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

try:
    import atheris
except ImportError:  # tests/test_fuzz.py replays inputs through run_once without the fuzzer
    atheris = None

if atheris is not None and __name__ == "__main__":  # instrument for the fuzzer, not for the tests
    with atheris.instrument_imports(include=["converter"]):
        import converter.report.baseline  # noqa: F401 - everything run_once reaches, instrumented for coverage
        import converter.pipeline.convert  # noqa: F401
        import converter.load.loader  # noqa: F401
        import converter.write.output  # noqa: F401
        import converter.report.canonical  # noqa: F401
        import converter.report.junit  # noqa: F401
        import converter.report.markdown  # noqa: F401
        import converter.report.sarif  # noqa: F401

from converter.report.baseline import review  # noqa: E402
from converter.pipeline.convert import convert  # noqa: E402
from converter.core.errors import K2ecsError  # noqa: E402
from converter.load.loader import parse_text  # noqa: E402
from converter.write.output import check_file_names, output_files, stdout_document  # noqa: E402
from converter.report.canonical import FORMATS, build_report, render  # noqa: E402
from converter.core.settings import Settings  # noqa: E402
from converter.load.source_files import decode_source  # noqa: E402

try:  # the template formats (issue 5) render the same conversion; jinja2 is imported only here
    from converter.write.iac.render import FORMATS as IAC_FORMATS, render as render_iac
    from converter.write.output import with_report
except ImportError:
    IAC_FORMATS = ()

# Two launch types: EC2 takes branches (host volumes, bridge-free ports) that Fargate refuses early.
SETTINGS = (Settings(), Settings(launch_type="EC2"))


def run_once(data: bytes) -> None:
    """What `k2ecs convert FILE -o DIR` does with FILE's bytes, short of touching the disk."""
    settings = SETTINGS[data[-1] & 1] if data else SETTINGS[0]
    try:
        text = decode_source(data, "fuzz.yaml")
        result = convert(parse_text(text, "fuzz.yaml"), settings)
        findings = review(result.findings, result.sources, None)
        report = build_report(findings, result.sources, result.outputs)
        for fmt in FORMATS:
            render(report, fmt, fail_on="warning")
        check_file_names(output_files(result.outputs, report))
        stdout_document(result.outputs)
        for fmt in IAC_FORMATS:  # `--format cloudformation|terraform`, where the checkout has them
            rendering = render_iac(fmt, result, cfn_json=bool(data[:1] == b"{"))
            check_file_names(with_report(rendering.files, rendering.retarget_report(report)))
    except K2ecsError as err:
        if "\n" in str(err):
            raise AssertionError(f"error message is not one line: {str(err)!r}") from None


def main() -> None:
    if atheris is None:
        sys.exit("atheris is not installed: pip install -e '.[fuzz]'")
    atheris.Setup(sys.argv, run_once)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
