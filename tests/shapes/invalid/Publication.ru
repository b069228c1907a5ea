# A publication date, stated by a cited page, written as the page writes it rather than as an xsd:date.
# expect: an announcement has at most one publication date
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
PREFIX person:  <id/person/>
PREFIX member:  <id/membership/>
PREFIX agr:     <id/agreement/>
PREFIX quot:    <id/quotation/>
PREFIX count:   <id/count/>
PREFIX ref:     <https://reference.example/>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX owl:     <http://www.w3.org/2002/07/owl#>
PREFIX xsd:     <http://www.w3.org/2001/XMLSchema#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa:      <http://www.w3.org/ns/oa#>

INSERT DATA { GRAPH <graph/announcement/mini> {
    ann:mini rit:datePublished "29.05.2017" .
    [] a rdf:Statement ; rdf:subject ann:mini ; rdf:predicate rit:datePublished ; rdf:object "29.05.2017" ;
        dcterms:source ref:press-release .
} }
