"""The tutorial site as a reader meets it (`tools/site_check.py`): fast tests of its checkers on tiny synthetic
notebooks and pages, then the whole check on `nbs/` in headless Chromium (skipped where Chromium is not installed)."""
import base64, importlib.util, io, json, subprocess, sys, time
from pathlib import Path
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output, new_raw_cell

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location('site_check', ROOT / 'tools' / 'site_check.py')
sc = importlib.util.module_from_spec(_spec); _spec.loader.exec_module(sc)
CHROMIUM = sc.find_chromium()
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason='chromium is not installed (apt-get install -y chromium)')


def png(blank=False, size=(40, 30)):
    "A base64 PNG: a gradient, or one flat colour."
    from PIL import Image
    im = Image.new('RGB', size, 'white')
    if not blank:
        for x in range(size[0]): im.putpixel((x, x % size[1]), (x * 6 % 256, 0, 0))
    b = io.BytesIO(); im.save(b, 'PNG')
    return base64.b64encode(b.getvalue()).decode()


def img_out(data, text='<Figure size 400x300 with 1 Axes>'):
    return new_output('display_data', data={'image/png': data, 'text/plain': text})


def nb_of(*cells): return new_notebook(cells=list(cells))


def write_nb(path, nb):
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def test_html_name():
    "Pages are named as nbdev names them for Quarto (`output-file`)."
    assert sc.html_name('01_data.ipynb') == 'data.html'
    assert sc.html_name('10_callbacks.ipynb') == 'callbacks.html'
    assert sc.html_name('index.ipynb') == 'index.html'
    assert sc.html_name('tutorials/01_Intro.ipynb') == 'tutorials/intro.html'


def test_find_pages(tmp_path):
    "Reading order: index, then sidebar.yml's order; missing sidebar entries and pages outside it are reported; `_` is scratch."
    for n in ('index', '00_a', '01_b', '03_d', '_scratch'): write_nb(tmp_path / f'{n}.ipynb', nb_of())
    (tmp_path / 'sidebar.yml').write_text('website:\n  sidebar:\n    contents:\n      - 01_b.ipynb\n      - index.ipynb\n'
                                          '      - section: More\n        contents:\n          - 00_a.ipynb\n          - 02_c.ipynb\n')
    assert sc.find_pages(tmp_path) == [('index.ipynb', True, True), ('01_b.ipynb', True, True), ('00_a.ipynb', True, True),
                                       ('02_c.ipynb', True, False), ('03_d.ipynb', False, True)]


def test_output_problems():
    "A chapter must carry the outputs of a run: none at all, a `#| slow` cell without output, errors, empty figures fail."
    export = new_code_cell('#| export\ndef f(): return 1')
    shown = new_code_cell('f()')
    assert any('no stored outputs at all' in p for p in sc.output_problems(nb_of(export, shown)))
    shown.outputs = [new_output('execute_result', data={'text/plain': '1'}, execution_count=None)]
    assert sc.output_problems(nb_of(export, shown)) == []
    assert sc.output_problems(nb_of(export)) == []                       # nothing shown, nothing to run
    slow = new_code_cell('#| slow\nrun = train()')
    assert sc.output_problems(nb_of(shown, slow)) == ["`#| slow` cell 1 ('run = train()') has no stored output"]
    err = new_code_cell('1/0', outputs=[new_output('error', ename='ZeroDivisionError', evalue='division by zero', traceback=[])])
    assert sc.output_problems(nb_of(err)) == ['cell 0 stored an error: ZeroDivisionError: division by zero']
    assert sc.output_problems(nb_of(new_code_cell('plot()', outputs=[img_out(png())]))) == []
    blank = sc.output_problems(nb_of(new_code_cell('plot()', outputs=[img_out(png(blank=True))])))
    assert len(blank) == 1 and 'blank 40x30 image' in blank[0]
    repr_only = new_code_cell('plt.plot(x)', outputs=[new_output('display_data', data={'text/plain': '<Figure size 640x480 with 1 Axes>'})])
    assert sc.output_problems(nb_of(repr_only)) == ['cell 0 stored `<Figure size 640x480 with 1 Axes>` but no image (figure missing)']
    noisy = [new_output('stream', name='stderr', text='/srv/x/.venv/lib/python3.11/site-packages/tqdm/auto.py:21: TqdmWarning: IProgress not found\n'),
             new_output('stream', name='stdout', text='wrote /tmp/tmpab12/run/summary.json\n'),
             new_output('execute_result', data={'text/plain': '\x1b[31mred\x1b[0m'}),
             new_output('stream', name='stdout', text='Traceback (most recent call last):\n')]
    assert [p.split(':')[0] for p in sc.output_problems(nb_of(new_code_cell('x', outputs=noisy)))] == [
        'cell 0 stored a warning', 'cell 0 stored a path of the machine that ran it', 'cell 0 stored an ANSI escape', 'cell 0 stored a traceback']
    clean = new_output('stream', name='stdout', text="summary in ../runs/demo/summary.json; 1/4 of D; s/it\n")
    assert sc.output_problems(nb_of(new_code_cell('x', outputs=[clean]))) == []


def test_pandoc_ids():
    "Headings get Quarto's (pandoc's) ids, which nbdev's doc links and hand-written anchors point at."
    seen = set()
    assert sc.pandoc_id('The Epps–Pulley statistic', seen) == 'the-eppspulley-statistic'
    assert sc.pandoc_id('EncoderConfig.tiny', seen) == 'encoderconfig.tiny'
    assert sc.pandoc_id('2. Does the target get gradients?', seen) == 'does-the-target-get-gradients'
    assert sc.pandoc_id('The encoder', seen) == 'the-encoder' and sc.pandoc_id('The encoder', seen) == 'the-encoder-1'
    page = sc.quarto_ids('<h2 id="Span-masking">Span masking<a class="anchor-link" href="#Span-masking">¶</a></h2>'
                         '<h3 id="x">Custom {#my-id}</h3>')
    assert 'id="span-masking"' in page and 'href="#span-masking"' in page and 'id="my-id"' in page and '{#' not in page


def test_rewrite_href():
    "Links as Quarto serves them: notebooks become their pages, doc links to this site become relative."
    pages, url = ['index.ipynb', '06_sigreg.ipynb'], 'https://x.github.io/proj'
    assert sc._rewrite_href('06_sigreg.ipynb#the-statistic', 'index.ipynb', pages, url) == 'sigreg.html#the-statistic'
    assert sc._rewrite_href('https://x.github.io/proj/sigreg.html#sigreg', 'index.ipynb', pages, url) == 'sigreg.html#sigreg'
    assert sc._rewrite_href('06_sigreg.html', 'index.ipynb', pages, url) == '06_sigreg.html'     # not a page of the site
    assert sc._rewrite_href('https://arxiv.org/abs/1', 'index.ipynb', pages, url) == 'https://arxiv.org/abs/1'


def test_check_links(tmp_path):
    "Every relative link must reach a generated page, and its anchor an id on that page; external links are counted only."
    (tmp_path / 'b.html').write_text('<h2 id="x">X</h2>')
    (tmp_path / 'a.html').write_text(
        '<h1 id="top">A</h1><a href="b.html#x">ok</a><a href="b.html#nope">bad anchor</a><a href="c.html">bad page</a>'
        '<a href="#top">ok</a><a href="#gone">bad</a><a href="https://example.org">ext</a><a href="mailto:a@b.c">m</a>'
        '<a href="../outside.html">bad</a>')
    probs, n_int, n_ext = sc.check_links(tmp_path, tmp_path / 'a.html')
    assert probs == ['broken anchor b.html#nope', 'broken link c.html', 'broken anchor #gone', 'broken link ../outside.html']
    assert (n_int, n_ext) == (6, 1)
    assert sc.check_links(tmp_path, tmp_path / 'a.html', assume=['c.html'])[0][1] == 'broken anchor #gone'


def test_fingerprints(tmp_path):
    "Stored outputs are tied to the exported code they were made with: `--record` writes it, the check compares."
    nbs = tmp_path / 'nbs'
    cells = [new_code_cell('#| export\ndef f(): return 1'), new_code_cell('f()', outputs=[new_output('stream', name='stdout', text='1\n')])]
    path = write_nb(nbs / '00_a.ipynb', nb_of(*cells))
    read = lambda: sc._read(path)
    assert 'no output fingerprint recorded' in sc.stale_problems(nbs, '00_a.ipynb', read())[0][0]
    sc.record(nbs, ['00_a.ipynb'], root=tmp_path)
    rec = json.loads((nbs / sc.RECORD).read_text())['notebooks']['00_a.ipynb']
    assert set(rec) == {'export_sha', 'outputs_sha', 'library_sha', 'version', 'recorded'}
    assert sc.stale_problems(nbs, '00_a.ipynb', read()) == ([], [])
    cells[1].outputs[0].text = '2\n'; write_nb(path, nb_of(*cells))            # re-run with the same code: a note
    probs, notes = sc.stale_problems(nbs, '00_a.ipynb', read())
    assert probs == [] and 'outputs changed' in notes[0]
    cells[0].source = '#| export\ndef f(): return 2'; cells[1].outputs[0].text = '1\n'; write_nb(path, nb_of(*cells))
    assert 'exported code changed since its outputs were made' in sc.stale_problems(nbs, '00_a.ipynb', read())[0][0]
    sc.record(nbs, ['00_a.ipynb'], root=tmp_path)
    assert sc.stale_problems(nbs, '00_a.ipynb', read()) == ([], [])
    cells[1].execution_count = 7; cells[1].metadata['x'] = 1; write_nb(path, nb_of(*cells))   # what nbdev_clean strips
    assert sc.stale_problems(nbs, '00_a.ipynb', read()) == ([], [])


def tiny_site(tmp_path, extra=()):
    "Two synthetic processed notebooks rendered into tmp_path/out: a title, a hidden-input cell, a figure, cross links."
    pages = ['index.ipynb', '01_b.ipynb']
    index = nb_of(new_raw_cell('---\ntitle: Home\ndescription: the `tiny` site\n---'),
                  new_markdown_cell('See [chapter b](01_b.ipynb#a-section) and [home](#intro).\n\n## Intro\nText $x^2$.'),
                  new_code_cell('#| echo: false\nshow()', outputs=[new_output('display_data', data={'text/markdown': '**shown**'})]),
                  *extra)
    b = nb_of(new_markdown_cell('# Chapter b\n> subtitle\n\n## A section'),
              new_code_cell('plot()', outputs=[img_out(png())]))
    titles, out, rnbs = {}, tmp_path / 'out', {}
    for p, nb in zip(pages, (index, b)):
        from execnb.nbio import dict2nb
        rnbs[p], title = sc.reader_nb(dict2nb(json.loads(nbformat.writes(nb))))
        titles[p] = title or p
    return [sc.render(rnbs[p], titles[p], p, pages, titles, out, 'https://x.github.io/proj') for p in pages], out


def test_render_tiny_site(tmp_path):
    "Frontmatter becomes the title, `echo: false` hides the input, notebook links become page links, all of which resolve."
    (index, b), out = tiny_site(tmp_path)
    assert index.name == 'index.html' and b.name == 'b.html'
    text = index.read_text()
    assert '<h1 class="title">Home</h1>' in text and '<code>tiny</code>' in text
    assert 'show()' not in text and '<strong>shown</strong>' in text
    assert 'href="b.html#a-section"' in text and 'id="sc-nav"' in text
    for page in (index, b): assert sc.check_links(out, page)[0] == []
    assert sc.check_page_images(b) == []


@needs_chromium
def test_browser_finds_errors(tmp_path):
    "Chromium loads the pages: a clean page passes; a JS error, a console error and a missing image are reported."
    (index, b), out = tiny_site(tmp_path)
    assert sc.browse(CHROMIUM, b, out / 'b.png') == ([], 1)
    assert (out / 'b.png').stat().st_size > 1000
    bad = new_markdown_cell('<img src="missing.png">\n\n<script>no_such_function()</script>')
    noisy = new_code_cell('x', outputs=[new_output('display_data', data={'text/html': '<script>console.error("boom")</script>'})])
    (index, b), out = tiny_site(tmp_path / 'bad', extra=[bad, noisy])
    probs, nfig = sc.browse(CHROMIUM, index)
    assert nfig == 1
    assert any(p.startswith('JS error: Uncaught ReferenceError: no_such_function') for p in probs), probs
    assert 'JS error: console.error: boom' in probs
    assert any(p.startswith('failed to load IMG file://') for p in probs) and 'figure does not display: missing.png' in probs


@needs_chromium
@pytest.mark.duration(150)
def test_site(tmp_path):
    """The whole site from `nbs/`: every page renders from stored outputs, loads without errors, shows its figures, links
    resolve. (Without the screenshots, which are for a person to look at: `make site-check` saves them.)"""
    t = time.time()
    r = subprocess.run([sys.executable, str(ROOT / 'tools' / 'site_check.py'), '--out', str(tmp_path / 'site'), '--no-screenshots'],
                       cwd=ROOT, capture_output=True, text=True, timeout=900)
    print(r.stdout, f'\n(site check took {time.time() - t:.0f} s)')
    assert r.returncode == 0, f'the site check found problems (table above; pages and screenshots in _site_check/ after ' \
                              f'`python tools/site_check.py`):\n{r.stderr[-2000:]}'


def test_title_cell_keeps_only_title_and_description():
    "nbdev drops a title cell's other text from the page (it becomes front matter): the check reports it."
    import nbformat
    ok = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Data\n> The corpus.'), nbformat.v4.new_markdown_cell('Text.')])
    assert sc.title_cell_problem(ok) is None
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('# Data\n> The corpus.\n\nAn intro a reader never sees.')])
    assert 'drops it' in sc.title_cell_problem(bad)
