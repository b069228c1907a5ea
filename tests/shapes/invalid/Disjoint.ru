# A city that is a region too: a region has no administrative borders of its own (SHACL-SPARQL on owl:disjointWith).
# expect: of two classes that the ontology defines as disjoint
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

INSERT DATA { GRAPH <graph/reference> { place:kitakyushu a rit:Region } }
