package dev.sharedmemory.checks;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.commonmark.Extension;
import org.commonmark.ext.gfm.tables.TablesExtension;
import org.commonmark.ext.heading.anchor.HeadingAnchorExtension;
import org.commonmark.node.AbstractVisitor;
import org.commonmark.node.HtmlBlock;
import org.commonmark.node.HtmlInline;
import org.commonmark.node.Image;
import org.commonmark.node.Link;
import org.commonmark.node.Node;
import org.commonmark.parser.Parser;
import org.commonmark.renderer.html.HtmlRenderer;

/**
 * Finds the relative links and anchors in Markdown files that point nowhere: a file or
 * folder that does not exist, or a {@code #fragment} that no heading and no HTML
 * {@code id}/{@code name} of the target Markdown file defines. Headings get GitHub's
 * anchors (commonmark's heading-anchor extension: lower case, spaces to '-', punctuation
 * dropped, '-1', '-2' for repeats). Links with a scheme ({@code https:}, {@code mailto:})
 * are not followed.
 */
final class MarkdownLinks {

	private static final List<Extension> EXTENSIONS = List.of(TablesExtension.create(),
			HeadingAnchorExtension.create());

	private static final Parser PARSER = Parser.builder().extensions(EXTENSIONS).build();

	private static final HtmlRenderer RENDERER = HtmlRenderer.builder().extensions(EXTENSIONS).build();

	private static final Pattern SCHEME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9+.-]*:|^//");

	private static final Pattern HTML_LINK = Pattern.compile("\\b(?:href|src)\\s*=\\s*\"([^\"]*)\"");

	private static final Pattern HTML_ID = Pattern.compile("\\b(?:id|name)\\s*=\\s*\"([^\"]*)\"");

	private final Path root;

	private final Map<Path, Set<String>> anchors = new HashMap<>();

	/**
	 * Creates a checker for the files of the given repository root; a link starting with
	 * '/' starts there.
	 */
	MarkdownLinks(Path root) {
		this.root = root.toAbsolutePath().normalize();
	}

	/**
	 * Returns the Markdown files users read: the root's own, those under {@code docs/}
	 * and each module's README.
	 */
	List<Path> documents() throws IOException {
		List<Path> documents = new ArrayList<>();
		try (Stream<Path> top = Files.list(this.root)) {
			top.filter(MarkdownLinks::isMarkdown).sorted().forEach(documents::add);
		}
		try (Stream<Path> modules = Files.list(this.root)) {
			modules.map((module) -> module.resolve("README.md"))
				.filter(Files::isRegularFile)
				.sorted()
				.forEach(documents::add);
		}
		Path docs = this.root.resolve("docs");
		if (Files.isDirectory(docs)) {
			try (Stream<Path> tree = Files.walk(docs)) {
				tree.filter(MarkdownLinks::isMarkdown).sorted().forEach(documents::add);
			}
		}
		return documents;
	}

	/**
	 * Returns one line per broken link of the given Markdown file: where it is, the link,
	 * and what is missing.
	 */
	List<String> brokenLinks(Path document) throws IOException {
		Path file = document.toAbsolutePath().normalize();
		List<String> broken = new ArrayList<>();
		for (String destination : destinations(file)) {
			String problem = problem(file, destination);
			if (problem != null) {
				broken.add(this.root.relativize(file) + ": (" + destination + ") " + problem);
			}
		}
		return broken;
	}

	private String problem(Path file, String destination) throws IOException {
		if (destination.isEmpty() || SCHEME.matcher(destination).find()) {
			return null;
		}
		int hash = destination.indexOf('#');
		String path = decode((hash >= 0) ? destination.substring(0, hash) : destination);
		String fragment = (hash >= 0) ? decode(destination.substring(hash + 1)) : "";
		int query = path.indexOf('?');
		if (query >= 0) {
			path = path.substring(0, query);
		}
		Path target;
		if (path.isEmpty()) {
			target = file;
		}
		else {
			target = (path.startsWith("/") ? this.root.resolve(path.substring(1)) : file.getParent().resolve(path))
				.normalize();
			if (!target.startsWith(this.root)) {
				return "points outside the repository";
			}
			if (!Files.exists(target)) {
				return "no such file: " + this.root.relativize(target);
			}
		}
		if (fragment.isEmpty() || !isMarkdown(target)) {
			return null;
		}
		if (!anchors(target).contains(fragment)) {
			return "no anchor #" + fragment + " in " + this.root.relativize(target);
		}
		return null;
	}

	private Set<String> anchors(Path markdown) throws IOException {
		Set<String> known = this.anchors.get(markdown);
		if (known == null) {
			known = new HashSet<>();
			String html = RENDERER.render(PARSER.parse(Files.readString(markdown)));
			Matcher ids = HTML_ID.matcher(html);
			while (ids.find()) {
				known.add(ids.group(1));
			}
			this.anchors.put(markdown, known);
		}
		return known;
	}

	private static List<String> destinations(Path markdown) throws IOException {
		List<String> destinations = new ArrayList<>();
		Node document = PARSER.parse(Files.readString(markdown));
		document.accept(new AbstractVisitor() {

			@Override
			public void visit(Link link) {
				destinations.add(link.getDestination());
				visitChildren(link);
			}

			@Override
			public void visit(Image image) {
				destinations.add(image.getDestination());
				visitChildren(image);
			}

			@Override
			public void visit(HtmlInline html) {
				addHtmlLinks(html.getLiteral());
			}

			@Override
			public void visit(HtmlBlock html) {
				addHtmlLinks(html.getLiteral());
			}

			private void addHtmlLinks(String html) {
				Matcher links = HTML_LINK.matcher(html);
				while (links.find()) {
					destinations.add(links.group(1));
				}
			}

		});
		return destinations;
	}

	private static String decode(String text) {
		return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
	}

	private static boolean isMarkdown(Path path) {
		return Files.isRegularFile(path) && path.getFileName().toString().endsWith(".md");
	}

}
