# A quote with one word changed: the report shows the passage of the source nearest to it and where they part.
# shape: Quote
# expect: does not occur in the source text
# says: oa:exact "Kleine Meldung zur Prüfung": (in oa:hasTarget/oa:hasSelector) the quote does not occur in the source text: copy the words from source.txt exactly; "Kleine Meldung …" differs from the source at character 18 (character 18 of source.txt): quote has "zur", source has "zum"
PREFIX rit:     <ontology#>
PREFIX place:   <id/place/>
PREFIX orgn:    <id/organisation/>
PREFIX deleg:   <id/delegation/>
PREFIX prog:    <id/programme/>
PREFIX sel:     <id/selection/>
PREFIX app:     <id/application/>
PREFIX part:    <id/partnership/>
PREFIX ev:      <id/event/>
PREFIX market:  <id/market/>
PREFIX ind:     <id/indicator/>
PREFIX dist:    <id/distance/>
PREFIX ann:     <id/announcement/>
PREFIX q:       <id/announcement/mini/quote/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

DELETE { GRAPH <graph/announcement/mini> { ?selector oa:exact ?exact . ?target oa:hasSelector ?position . ?position ?p ?o } }
INSERT { GRAPH <graph/announcement/mini> { ?selector oa:exact "Kleine Meldung zur Prüfung" } }
WHERE { GRAPH <graph/announcement/mini> {
    ?target oa:hasSelector ?selector , ?position .
    ?selector oa:exact ?exact . ?position a oa:TextPositionSelector ; ?p ?o } }
