# A label of 240 characters: a label is a name, not a text.
# expect: a label is a name of at most 200 characters
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

DELETE { GRAPH <graph/reference> { market:china rdfs:label "Chinese market"@en } }
INSERT { GRAPH <graph/reference> { market:china rdfs:label ?long } }
WHERE {
    BIND ("Chinese market " AS ?t0)
    BIND (CONCAT(?t0, ?t0) AS ?t1) BIND (CONCAT(?t1, ?t1) AS ?t2) BIND (CONCAT(?t2, ?t2) AS ?t3) BIND (CONCAT(?t3, ?t3) AS ?t4)
    BIND (STRLANG(?t4, "en") AS ?long)
}
