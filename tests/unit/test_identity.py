import re
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from reader.identity import arxiv_url, normalize_arxiv_id, normalize_title, paper_key, title_key


def test_normalize_title_folds_case_space_punctuation_and_unicode():
    base = normalize_title("Edit-A-Video: Single Video Editing")
    assert base == "edit a video single video editing"
    assert normalize_title("  EDIT a  VIDEO — single video editing!  ") == base
    assert normalize_title("Edit\u00a0A\u2010Video: Single\tVideo\nEditing") == base
    # Compatibility forms and accents fold too: full-width letters, ligatures, é.
    assert normalize_title("Ｅｄｉｔ-A-Video: Single Video Editing") == base
    assert normalize_title("ﬁne Café") == normalize_title("fine cafe")


def folded_the_long_way(title: str) -> str:
    """`normalize_title` without its ASCII shortcut (a byte table instead of the regex)."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(char for char in text if not unicodedata.combining(char))
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", text).split())


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
def test_an_ascii_title_folds_as_any_title_does(title: str) -> None:
    assert normalize_title(title) == folded_the_long_way(title)
    assert normalize_title(title + "é") == folded_the_long_way(title + "é")


def test_title_key_is_stable_and_distinguishes_titles():
    assert title_key("Attention Is Not What You Need") == title_key(
        "attention is not what you need."
    )
    assert title_key("Attention Is Not What You Need") != title_key("Attention Is What You Need")
    assert title_key("x").startswith("t-")


def test_arxiv_id_forms_are_one_paper():
    forms = [
        "2606.11409",
        "arXiv:2606.11409v2",
        "ARXIV:2606.11409",
        "https://arxiv.org/abs/2606.11409",
        "http://arxiv.org/abs/2606.11409v3",
        "https://arxiv.org/pdf/2606.11409v1.pdf",
        " 2606.11409v1 ",
    ]
    assert {normalize_arxiv_id(form) for form in forms} == {"2606.11409"}
    assert normalize_arxiv_id("0704.0001") == "0704.0001"


def test_old_style_ids():
    assert normalize_arxiv_id("hep-th/9901001") == "hep-th/9901001"
    assert normalize_arxiv_id("arXiv:hep-th/9901001v2") == "hep-th/9901001"
    assert normalize_arxiv_id("https://arxiv.org/abs/math.GT/0309136") == "math/0309136"


def test_not_arxiv_ids():
    for text in ["", None, "hello", "2606.114", "12345.67890", "2606.11409.1", "x/123"]:
        assert normalize_arxiv_id(text) is None, text


def test_paper_key_prefers_the_arxiv_id():
    assert paper_key("2606.11409", "Some Title") == "2606.11409"
    assert paper_key(None, "Some Title") == title_key("Some Title")
    assert arxiv_url("2606.11409") == "https://arxiv.org/abs/2606.11409"
