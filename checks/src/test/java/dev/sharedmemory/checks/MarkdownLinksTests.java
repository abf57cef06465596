package dev.sharedmemory.checks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every relative link and anchor in the project's Markdown points somewhere; and the
 * checker that says so finds the broken ones.
 */
class MarkdownLinksTests {

	@Test
	void projectMarkdownHasNoBrokenLinks() throws IOException {
		MarkdownLinks links = new MarkdownLinks(Path.of(System.getProperty("markdown.root", "..")));
		List<Path> documents = links.documents();
		assertThat(documents).extracting((path) -> path.getFileName().toString()).contains("README.md", "CHANGELOG.md");
		List<String> broken = new ArrayList<>();
		for (Path document : documents) {
			broken.addAll(links.brokenLinks(document));
		}
		assertThat(broken).as("broken links in %s", documents).isEmpty();
	}

	@Test
	void findsMissingFilesAndAnchors(@TempDir Path root) throws IOException {
		Files.createDirectories(root.resolve("docs/images"));
		Files.writeString(root.resolve("docs/images/chart.svg"), "<svg/>");
		Files.writeString(root.resolve("docs/guide.md"), """
				# Reference guide

				## The `sharedmemory` endpoint: GET, DELETE

				## Setup
				## Setup

				<a id="custom"></a>
				""");
		Files.writeString(root.resolve("README.md"), """
				# Front door

				| what | where |
				| --- | --- |
				| guide | [endpoint](docs/guide.md#the-sharedmemory-endpoint-get-delete) |

				[second setup](docs/guide.md#setup-1), [custom](docs/guide.md#custom), [top](#front-door),
				![chart](docs/images/chart.svg), [folder](docs/), [web](https://example.org/none#x),
				[mail](mailto:dev@example.org), [root](/docs/guide.md), [ref][guide]

				[missing file](docs/missing.md), [missing anchor](docs/guide.md#set-up), [self](#nowhere),
				<img src="docs/images/missing.png">, [ref broken][broken]

				[guide]: docs/guide.md#reference-guide
				[broken]: docs/guide.md#setup-2
				""");
		MarkdownLinks links = new MarkdownLinks(root);
		assertThat(links.brokenLinks(root.resolve("README.md"))).containsExactly(
				"README.md: (docs/missing.md) no such file: docs/missing.md",
				"README.md: (docs/guide.md#set-up) no anchor #set-up in docs/guide.md",
				"README.md: (#nowhere) no anchor #nowhere in README.md",
				"README.md: (docs/images/missing.png) no such file: docs/images/missing.png",
				"README.md: (docs/guide.md#setup-2) no anchor #setup-2 in docs/guide.md");
		assertThat(links.documents()).containsExactly(root.resolve("README.md").toAbsolutePath().normalize(),
				root.resolve("docs/guide.md").toAbsolutePath().normalize());
	}

}
